import { LIST_SCHEMA } from "./actor";
import { ENTERPRISE_URN } from "./filter";
import { GROUP_SCHEMA_URN, USER_SCHEMA_URN } from "./schema-names";

/** ServiceProviderConfig, ResourceTypes and Schemas (RFC 7643 §5–7): what Clearance supports, for an identity provider to read. */

const ENTERPRISE = ENTERPRISE_URN.replace(":user", ":User");

export function serviceProviderConfig(baseUrl: string) {
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
    documentationUri: `${baseUrl.replace(/\/scim\/v2$/, "")}/admin/api`,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: 200 },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: "oauthbearertoken",
        name: "Bearer token",
        description: "An API client token with the scim scope, created by a compliance admin at /admin/api.",
        primary: true,
      },
    ],
    meta: { resourceType: "ServiceProviderConfig", location: `${baseUrl}/ServiceProviderConfig` },
  };
}

export function resourceTypes(baseUrl: string) {
  const types = [
    {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
      id: "User",
      name: "User",
      endpoint: "/Users",
      schema: USER_SCHEMA_URN,
      schemaExtensions: [{ schema: ENTERPRISE, required: false }],
      meta: { resourceType: "ResourceType", location: `${baseUrl}/ResourceTypes/User` },
    },
    {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
      id: "Group",
      name: "Group",
      endpoint: "/Groups",
      schema: GROUP_SCHEMA_URN,
      meta: { resourceType: "ResourceType", location: `${baseUrl}/ResourceTypes/Group` },
    },
  ];
  return {
    schemas: [LIST_SCHEMA],
    totalResults: types.length,
    startIndex: 1,
    itemsPerPage: types.length,
    Resources: types,
  };
}

type Attribute = {
  name: string;
  type: string;
  multiValued?: boolean;
  required?: boolean;
  mutability?: string;
  uniqueness?: string;
  caseExact?: boolean;
  subAttributes?: Attribute[];
  description?: string;
};

const attr = (name: string, type: string, extra: Partial<Attribute> = {}): Attribute => ({
  name,
  type,
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: "readWrite",
  uniqueness: "none",
  ...extra,
});

export function schemas(baseUrl: string) {
  const schema = (id: string, name: string, attributes: Attribute[]) => ({
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
    id,
    name,
    attributes,
    meta: { resourceType: "Schema", location: `${baseUrl}/Schemas/${id}` },
  });
  const list = [
    schema(USER_SCHEMA_URN, "User", [
      attr("userName", "string", {
        required: true,
        uniqueness: "server",
        description: "Lower-cased. The sign-in email, unless emails gives a work address.",
      }),
      attr("externalId", "string", { caseExact: true }),
      attr("name", "complex", {
        subAttributes: [attr("givenName", "string"), attr("familyName", "string"), attr("formatted", "string")],
      }),
      attr("displayName", "string"),
      attr("title", "string"),
      attr("active", "boolean", {
        description:
          "false suspends the person: their sessions end and every access check denies with account_inactive.",
      }),
      attr("emails", "complex", {
        multiValued: true,
        subAttributes: [attr("value", "string"), attr("type", "string"), attr("primary", "boolean")],
      }),
    ]),
    schema(ENTERPRISE, "EnterpriseUser", [
      attr("department", "string"),
      attr("employeeNumber", "string"),
      attr("manager", "complex", { subAttributes: [attr("value", "string")] }),
    ]),
    schema(GROUP_SCHEMA_URN, "Group", [
      attr("displayName", "string", {
        required: true,
        uniqueness: "server",
        description: "Means something only when a compliance admin maps it to a role or department for this client.",
      }),
      attr("externalId", "string", { caseExact: true }),
      attr("members", "complex", {
        multiValued: true,
        subAttributes: [attr("value", "string"), attr("display", "string", { mutability: "readOnly" })],
      }),
    ]),
  ];
  return {
    schemas: [LIST_SCHEMA],
    totalResults: list.length,
    startIndex: 1,
    itemsPerPage: list.length,
    Resources: list,
  };
}
