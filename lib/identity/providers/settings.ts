import { z } from "zod";

import type { IdentityProviderKind } from "@/db/schema/identity";
import { storedSamlSettingsSchema, type StoredSamlSettings } from "@/lib/identity/saml/settings";

/**
 * The non-secret configuration of each kind of identity provider, as stored in
 * `identity_providers.settings`. Read through `providerSettings` only, so a
 * row written by an older version is checked before it is used.
 */

const claimValue = z.string().trim().min(1).max(200);
const valueList = z.array(claimValue).max(20);

export const oidcSettingsSchema = z.object({
  /** The issuer identifier; its /.well-known/openid-configuration is read at sign-in. */
  issuer: z.url({ message: "Enter the issuer URL, like https://login.example.com/" }).max(500),
  clientId: z.string().trim().min(1, "Enter the client id the provider gave you.").max(300),
  scopes: z
    .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/, "A scope is one word without spaces or quotes."))
    .max(20)
    .refine((s) => s.includes("openid"), "Scopes must include openid.")
    .default(["openid", "email", "profile"]),
  /** How the client secret is sent to the token endpoint. */
  tokenAuthMethod: z.enum(["client_secret_basic", "client_secret_post"]).default("client_secret_basic"),
  /** The claim holding the address, and the one saying the provider verified it (Entra ID: xms_edov). */
  emailClaim: z.string().trim().min(1).max(100).default("email"),
  emailVerifiedClaim: z.string().trim().min(1).max(100).default("email_verified"),
  /** `amr` values that mean the person used more than one factor (RFC 8176 "mfa"; Okta/Entra send it). */
  mfaAmrValues: valueList.default(["mfa"]),
  /** `acr` values that mean the same (e.g. Keycloak levels of assurance, Okta's urn:okta:loa:2fa:any). */
  mfaAcrValues: valueList.default([]),
});
export type OidcSettings = z.infer<typeof oidcSettingsSchema>;

/** A SAML provider's settings are the SAML layer's own (lib/identity/saml/settings.ts), less the SP's addresses. */
export const samlSettingsSchema = storedSamlSettingsSchema;
export type SamlSettings = StoredSamlSettings;

export const settingsSchemaFor = { oidc: oidcSettingsSchema, saml: samlSettingsSchema } as const;

export type ProviderSettings<K extends IdentityProviderKind> = K extends "oidc" ? OidcSettings : SamlSettings;

/** A provider's stored settings, checked against its kind's schema; throws on a row that does not fit. */
export function providerSettings<K extends IdentityProviderKind>(kind: K, stored: unknown): ProviderSettings<K> {
  return settingsSchemaFor[kind].parse(stored) as ProviderSettings<K>;
}

/** "example.com, Example.org" → ["example.com", "example.org"]; throws a message for a bad entry. */
export const domainList = z
  .string()
  .max(2000)
  .transform((v) =>
    v
      .split(/[\s,]+/)
      .map((d) => d.trim().toLowerCase().replace(/^@/, ""))
      .filter(Boolean),
  )
  .pipe(
    z
      .array(
        z
          .string()
          .regex(
            /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
            "Enter domains like example.com.",
          ),
      )
      .max(50, "At most 50 domains."),
  )
  .transform((list) => Array.from(new Set(list)));

/** The domain of an e-mail address, lower case; null if it has none. */
export function emailDomain(email: string): string | null {
  const at = email.lastIndexOf("@");
  if (at < 1 || at === email.length - 1) return null;
  return email.slice(at + 1).toLowerCase();
}

/** Whether an address's domain is one of the allowed ones (exactly; subdomains must be listed). */
export function domainAllowed(email: string, allowed: readonly string[]): boolean {
  const domain = emailDomain(email);
  return domain !== null && allowed.includes(domain);
}

/**
 * Whether an OIDC ID token says the person used more than one factor: one of
 * its `amr` values, or its `acr`, is one the provider is configured to mean so.
 */
export function oidcReportsMfa(claims: { amr?: unknown; acr?: unknown }, settings: OidcSettings): boolean {
  const amr = Array.isArray(claims.amr) ? claims.amr.filter((v): v is string => typeof v === "string") : [];
  if (amr.some((v) => settings.mfaAmrValues.includes(v))) return true;
  return typeof claims.acr === "string" && settings.mfaAcrValues.includes(claims.acr);
}
