import { randomBytes } from "node:crypto";

import { SAML, ValidateInResponseTo, type CacheProvider } from "@node-saml/node-saml";

import { NAME_ID_EMAIL } from "./metadata";
import type { SamlSettings } from "./settings";

/**
 * node-saml's request-id cache lives in one process's memory; Clearance runs
 * several instances, so the caller keeps request ids (bound to the browser)
 * and `verifyResponse` checks InResponseTo itself. This provider makes sure
 * node-saml never remembers anything.
 */
const noCache: CacheProvider = {
  saveAsync: async () => null,
  getAsync: async () => null,
  removeAsync: async () => null,
};

/** An AuthnRequest ID: an XML NCName (starts with "_"), 160 random bits. */
export function newRequestId(): string {
  return `_${randomBytes(20).toString("hex")}`;
}

/**
 * node-saml configured as Clearance's service provider for one IdP. Its own
 * clock checks are off (`acceptedClockSkewMs: -1`): `verifyResponse` checks
 * every time against the caller's `now` with the provider's skew.
 */
export function serviceProvider(settings: SamlSettings, requestId?: string): SAML {
  return new SAML({
    issuer: settings.spEntityId,
    audience: settings.spEntityId,
    callbackUrl: settings.acsUrl,
    entryPoint: settings.idpSsoUrl,
    idpIssuer: settings.idpEntityId,
    idpCert: settings.idpCertificates,
    wantAssertionsSigned: true,
    // Many IdPs sign only the assertion; the assertion's signature is what counts.
    wantAuthnResponseSigned: false,
    identifierFormat: NAME_ID_EMAIL,
    // A requested context (node-saml asks for PasswordProtectedTransport by default) makes
    // IdPs refuse people who signed in another way, e.g. with a passkey.
    disableRequestedAuthnContext: true,
    acceptedClockSkewMs: -1,
    validateInResponseTo: ValidateInResponseTo.never,
    cacheProvider: noCache,
    generateUniqueId: requestId ? () => requestId : newRequestId,
  });
}
