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

/**
 * Reads what the SP needs from an identity provider's metadata document
 * (pasted by an admin): entity ID, HTTP-Redirect single sign-on URL and
 * signing certificates. The result still goes through `samlSettingsSchema`.
 */
export function parseIdpMetadata(xml: string): IdpMetadata | null {
  const doc = parseXml(xml);
  if (!doc) return null;
  let entity: Element | null = doc.documentElement;
  if (isElement(entity, NS.metadata, "EntitiesDescriptor")) {
    const entities = childElements(entity, NS.metadata, "EntityDescriptor").filter(
      (e) => childElements(e, NS.metadata, "IDPSSODescriptor").length > 0,
    );
    entity = entities.length === 1 ? entities[0] : null;
  }
  if (!isElement(entity, NS.metadata, "EntityDescriptor")) return null;
  const idpEntityId = attributeOf(entity, "entityID");
  const descriptor = childElements(entity, NS.metadata, "IDPSSODescriptor")[0];
  if (!idpEntityId || !descriptor) return null;

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
  if (!idpSsoUrl || idpCertificates.length === 0) return null;
  return { idpEntityId, idpSsoUrl, idpCertificates: [...new Set(idpCertificates)] };
}
