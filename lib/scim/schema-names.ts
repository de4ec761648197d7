/** The core schemas' ids as SCIM spells them in resources. */
export const USER_SCHEMA_URN = "urn:ietf:params:scim:schemas:core:2.0:User";
export const GROUP_SCHEMA_URN = "urn:ietf:params:scim:schemas:core:2.0:Group";
