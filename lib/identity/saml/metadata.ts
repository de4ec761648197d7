import { generateServiceProviderMetadata } from "@node-saml/node-saml";

import { sha256Hex } from "@/lib/crypto/hash";

import { toPemCertificate, type SamlSettings } from "./settings";
import { attributeOf, childElements, isElement, NS, parseXml, textOf } from "./xml";

export const NAME_ID_EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
const REDIRECT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";

/**
 * The service provider's metadata for one identity provider: its entity ID,
 * one assertion consumer service (HTTP-POST), e-mail NameIDs, and signed
 * assertions wanted. The same settings give the same document, so an IdP
 * that polls the URL sees no change until the settings change.
 */
export function spMetadataXml(settings: Pick<SamlSettings, "spEntityId" | "acsUrl">): string {
  const stableId = `_${sha256Hex(`${settings.spEntityId}\n${settings.acsUrl}`).slice(0, 40)}`;
  return generateServiceProviderMetadata({
    issuer: settings.spEntityId,
    callbackUrl: settings.acsUrl,
    identifierFormat: NAME_ID_EMAIL,
    wantAssertionsSigned: true,
    generateUniqueId: () => stableId,
  });
}

export type IdpMetadata = { idpEntityId: string; idpSsoUrl: string; idpCertificates: string[] };

/** What keeps a metadata document from configuring an identity provider. */
export type IdpMetadataProblem = "not_xml" | "no_idp" | "no_sso_url" | "no_certificate";

export const idpMetadataProblems: Record<IdpMetadataProblem, string> = {
  not_xml:
    "This is not well-formed XML. Paste the whole metadata document (it starts with <EntityDescriptor or <?xml).",
  no_idp: "This metadata describes no identity provider: it has no EntityDescriptor with an IDPSSODescriptor.",
  no_sso_url: "The metadata has no single sign-on URL for the HTTP-Redirect binding.",
  no_certificate: "The metadata has no signing certificate (KeyDescriptor with an X509Certificate).",
};

/**
 * Reads what the SP needs from an identity provider's metadata document
 * (pasted by an admin): entity ID, HTTP-Redirect single sign-on URL and
 * signing certificates, or what is missing. The result still goes through
 * `samlSettingsSchema`.
 */
export function readIdpMetadata(
  xml: string,
): { ok: true; metadata: IdpMetadata } | { ok: false; problem: IdpMetadataProblem } {
  const doc = parseXml(xml);
  if (!doc) return { ok: false, problem: "not_xml" };
  let entity: Element | null = doc.documentElement;
  if (isElement(entity, NS.metadata, "EntitiesDescriptor")) {
    const entities = childElements(entity, NS.metadata, "EntityDescriptor").filter(
      (e) => childElements(e, NS.metadata, "IDPSSODescriptor").length > 0,
    );
    entity = entities.length === 1 ? entities[0] : null;
  }
  if (!isElement(entity, NS.metadata, "EntityDescriptor")) return { ok: false, problem: "no_idp" };
  const idpEntityId = attributeOf(entity, "entityID");
  const descriptor = childElements(entity, NS.metadata, "IDPSSODescriptor")[0];
  if (!idpEntityId || !descriptor) return { ok: false, problem: "no_idp" };

  const sso = childElements(descriptor, NS.metadata, "SingleSignOnService").find(
    (s) => attributeOf(s, "Binding") === REDIRECT_BINDING,
  );
  const idpSsoUrl = attributeOf(sso ?? null, "Location");
  const idpCertificates = childElements(descriptor, NS.metadata, "KeyDescriptor")
    .filter((k) => (attributeOf(k, "use") ?? "signing") === "signing")
    .flatMap((k) => childElements(k, NS.dsig, "KeyInfo"))
    .flatMap((info) => childElements(info, NS.dsig, "X509Data"))
    .flatMap((data) => childElements(data, NS.dsig, "X509Certificate"))
    .map((cert) => toPemCertificate(textOf(cert) ?? ""))
    .filter((pem): pem is string => pem !== null);
  if (!idpSsoUrl) return { ok: false, problem: "no_sso_url" };
  if (idpCertificates.length === 0) return { ok: false, problem: "no_certificate" };
  return { ok: true, metadata: { idpEntityId, idpSsoUrl, idpCertificates: [...new Set(idpCertificates)] } };
}

/** `readIdpMetadata` for callers that only need to know whether it worked. */
export function parseIdpMetadata(xml: string): IdpMetadata | null {
  const read = readIdpMetadata(xml);
  return read.ok ? read.metadata : null;
}
