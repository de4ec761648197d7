/**
 * Clearance as a SAML 2.0 service provider: pure functions over one
 * provider's settings. Storage (request IDs bound to a browser, assertion IDs
 * seen) belongs to the caller; see docs/sso-saml.md for the IdP side.
 */
export { samlEndpoints, samlSettingsSchema, type SamlSettings, type SamlSettingsInput } from "./settings";
export {
  idpMetadataProblems,
  parseIdpMetadata,
  readIdpMetadata,
  spMetadataXml,
  type IdpMetadata,
  type IdpMetadataProblem,
} from "./metadata";
export { startSignIn } from "./start-sign-in";
export {
  samlFailureMessages,
  samlFailureReasons,
  verifyResponse,
  type SamlFailureReason,
  type SamlVerifyResult,
  type VerifyOptions,
} from "./verify-response";
export { MFA_AUTHN_CONTEXTS, type SamlIdentity } from "./identity";
