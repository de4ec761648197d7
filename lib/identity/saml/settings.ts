import { X509Certificate } from "node:crypto";

import { z } from "zod";

/**
 * How Clearance, as a SAML 2.0 service provider, trusts one identity
 * provider. Stored per provider; the SP entity ID and ACS URL come from
 * `samlEndpoints` so they never drift from the routes that serve them.
 */

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** https, or plain http to this machine (development and tests). */
function isSafeUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.username || url.password || url.hash) return false;
  return url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname));
}

const webUrl = z
  .string()
  .trim()
  .max(2048)
  .refine(isSafeUrl, "Enter an https:// address (plain http only for localhost).");

/** SAML entity IDs are URIs, often URLs, sometimes URNs (urn:…); compared exactly. */
const entityId = z
  .string()
  .trim()
  .min(1, "Enter the entity ID.")
  .max(1024)
  .refine((v) => !/\s/.test(v), "An entity ID has no spaces.");

/** A PEM certificate, or the bare base64 body that IdP consoles and metadata show; stored as PEM. */
export function toPemCertificate(value: string): string | null {
  const body = value
    .replace(/-----(BEGIN|END) CERTIFICATE-----/g, "")
    .replace(/\s+/g, "")
    .trim();
  if (!body || !/^[A-Za-z0-9+/]+=*$/.test(body)) return null;
  const pem = `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)!.join("\n")}\n-----END CERTIFICATE-----\n`;
  try {
    new X509Certificate(pem);
    return pem;
  } catch {
    return null;
  }
}

const certificate = z
  .string()
  .max(16_384)
  .transform((value, ctx) => {
    const pem = toPemCertificate(value);
    if (!pem) {
      ctx.addIssue({ code: "custom", message: "Paste the identity provider's X.509 signing certificate (PEM)." });
      return z.NEVER;
    }
    return pem;
  });

const attributeName = z.string().trim().min(1).max(512);

export const samlAttributeNamesSchema = z.object({
  email: attributeName.default("email"),
  name: attributeName.default("name"),
  firstName: attributeName.default("firstName"),
  lastName: attributeName.default("lastName"),
  department: attributeName.default("department"),
  manager: attributeName.default("manager"),
  title: attributeName.default("title"),
});

export const samlSettingsSchema = z.object({
  idpEntityId: entityId,
  idpSsoUrl: webUrl,
  /** One or more: during a certificate rotation both the old and the new one are trusted. */
  idpCertificates: z
    .array(certificate)
    .min(1, "Add the identity provider's signing certificate: unsigned assertions are never accepted.")
    .max(5),
  spEntityId: entityId,
  acsUrl: webUrl,
  /** Always true: an assertion counts only when the IdP signed the assertion itself. */
  wantAssertionsSigned: z.literal(true).default(true),
  /** Accept responses the IdP sends without a request from Clearance (an IdP dashboard tile). */
  allowIdpInitiated: z.boolean().default(false),
  clockSkewSeconds: z.number().int().min(0).max(300).default(60),
  attributes: samlAttributeNamesSchema.prefault({}),
  /** AuthnContextClassRef values this IdP uses for multi-factor sign-in, besides the well-known ones. */
  mfaAuthnContexts: z.array(z.string().trim().min(1).max(1024)).max(20).default([]),
});

export type SamlSettings = z.output<typeof samlSettingsSchema>;

/** What is stored per provider: the SP's own addresses come from `samlEndpoints` at each use. */
export const storedSamlSettingsSchema = samlSettingsSchema.omit({ spEntityId: true, acsUrl: true });
export type StoredSamlSettings = z.output<typeof storedSamlSettingsSchema>;
export type SamlSettingsInput = z.input<typeof samlSettingsSchema>;

/**
 * The service provider's addresses for one identity provider, from the app's
 * public URL and the provider's slug. The metadata URL doubles as the SP
 * entity ID, so an IdP that reads the entity ID can also fetch the metadata.
 */
export function samlEndpoints(
  appUrl: string,
  slug: string,
): { spEntityId: string; metadataUrl: string; acsUrl: string } {
  if (!/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/.test(slug)) throw new TypeError("invalid identity provider slug");
  const base = `${appUrl.replace(/\/+$/, "")}/api/sso/saml/${slug}`;
  return { spEntityId: `${base}/metadata`, metadataUrl: `${base}/metadata`, acsUrl: `${base}/acs` };
}
