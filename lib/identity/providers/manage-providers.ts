import "server-only";

import { and, asc, eq, ne, sql } from "drizzle-orm";
import { z } from "zod";

import { getDb, type Executor } from "@/db/client";
import {
  identityProviders,
  organisationSettings,
  ssoIdentities,
  type IdentityProviderKind,
  type SsoOnlyPolicy,
} from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import { assertMay } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { encryptText } from "@/lib/crypto/encryption";
import { DomainError, FieldError, NotFoundError } from "@/lib/errors";
import { describeDiscoveryError, oidcConfiguration } from "@/lib/identity/oidc/configuration";
import { checkCertificates } from "@/lib/identity/saml/certificates";
import { storedSamlSettingsSchema } from "@/lib/identity/saml/settings";
import { ssoOnlyPolicy } from "@/lib/identity/sso/policy";

import { providerSecretContext, ssoCallbackUrl } from "./read-providers";
import { domainList, oidcSettingsSchema, providerSettings, type OidcSettings } from "./settings";

/**
 * Compliance admins manage the organisation's identity providers and the
 * "SSO only" policy here (/admin/identity). Every change is audited in its
 * transaction; a provider's secret is write-only: it is encrypted on the way
 * in and never read back to a page.
 */

const lines = z
  .string()
  .max(2000)
  .transform((v) =>
    v
      .split(/[\s,]+/)
      .map((x) => x.trim())
      .filter(Boolean),
  );
/** A claim (OIDC) or attribute (SAML, often a URI) name; empty maps nothing. */
const optionalClaim = z
  .string()
  .trim()
  .max(512)
  .regex(/^[^\s"'<>]*$/, "A claim name has no spaces or quotes.")
  .transform((v) => v || null);

const checkbox = z.preprocess((v) => v === "on" || v === "true" || v === true, z.boolean());

/** What every provider form has: its name and URL name, and who may sign in through it. */
const providerBase = z.object({
  id: z
    .uuid()
    .optional()
    .or(z.literal("").transform(() => undefined)),
  name: z.string().trim().min(1, "Enter the name people see on the sign-in button.").max(60, "At most 60 characters."),
  slug: z
    .string()
    .trim()
    .toLowerCase()
    .regex(
      /^[a-z0-9][a-z0-9-]{0,39}$/,
      "Use lower-case letters, digits and hyphens (up to 40), like okta or entra-id.",
    ),
  allowedDomains: domainList,
  jitProvisioning: checkbox,
  acceptIdpMfa: checkbox,
  departmentClaim: optionalClaim,
  managerClaim: optionalClaim,
  titleClaim: optionalClaim,
});

/** The OIDC provider form, as submitted (checkboxes arrive as "on" or not at all). */
export const oidcProviderInput = providerBase.extend({
  issuer: z.string().trim().min(1, "Enter the issuer URL.").max(500),
  clientId: z.string().trim().min(1, "Enter the client id the provider gave you.").max(300),
  clientSecret: z.string().max(1000).optional(),
  scopes: lines.pipe(
    z
      .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/, "A scope is one word without quotes."))
      .max(20)
      .refine((s) => s.includes("openid"), "Scopes must include openid."),
  ),
  tokenAuthMethod: z.enum(["client_secret_basic", "client_secret_post"]).default("client_secret_basic"),
  emailClaim: z.string().trim().min(1).max(100).default("email"),
  emailVerifiedClaim: z.string().trim().min(1).max(100).default("email_verified"),
  mfaAmrValues: lines.pipe(z.array(z.string().max(200)).max(20)),
  mfaAcrValues: lines.pipe(z.array(z.string().max(200)).max(20)),
});
export type OidcProviderInput = z.output<typeof oidcProviderInput>;
export type ProviderBaseInput = z.output<typeof providerBase>;
export { checkbox, lines, providerBase };

export type ProviderListing = {
  id: string;
  kind: "oidc" | "saml";
  slug: string;
  name: string;
  enabled: boolean;
  hasSecret: boolean;
  settings: Record<string, unknown>;
  allowedDomains: string[];
  jitProvisioning: boolean;
  acceptIdpMfa: boolean;
  departmentClaim: string | null;
  managerClaim: string | null;
  titleClaim: string | null;
  redirectUri: string;
  linkedPeople: number;
  updatedAt: Date;
};

/** The providers for the admin page: settings and whether a secret is set, never the secret. */
export async function listProviders(viewer: Viewer): Promise<ProviderListing[]> {
  assertMay(viewer, "administer");
  const db = await getDb();
  const rows = await db
    .select({
      id: identityProviders.id,
      kind: identityProviders.kind,
      slug: identityProviders.slug,
      name: identityProviders.name,
      enabled: identityProviders.enabled,
      hasSecret: sql<boolean>`${identityProviders.secretEnc} is not null`,
      settings: identityProviders.settings,
      allowedDomains: identityProviders.allowedDomains,
      jitProvisioning: identityProviders.jitProvisioning,
      acceptIdpMfa: identityProviders.acceptIdpMfa,
      departmentClaim: identityProviders.departmentClaim,
      managerClaim: identityProviders.managerClaim,
      titleClaim: identityProviders.titleClaim,
      updatedAt: identityProviders.updatedAt,
      linkedPeople: sql<number>`(select count(*)::int from ${ssoIdentities} where ${ssoIdentities.providerId} = ${identityProviders.id})`,
    })
    .from(identityProviders)
    .orderBy(asc(identityProviders.name));
  return rows.map((r) => ({
    ...r,
    hasSecret: Boolean(r.hasSecret),
    linkedPeople: Number(r.linkedPeople),
    settings: r.settings as Record<string, unknown>,
    redirectUri: ssoCallbackUrl(r.kind, r.slug),
  }));
}

function settingsFrom(input: OidcProviderInput): OidcSettings {
  const parsed = oidcSettingsSchema.safeParse({
    issuer: input.issuer,
    clientId: input.clientId,
    scopes: input.scopes,
    tokenAuthMethod: input.tokenAuthMethod,
    emailClaim: input.emailClaim,
    emailVerifiedClaim: input.emailVerifiedClaim,
    mfaAmrValues: input.mfaAmrValues,
    mfaAcrValues: input.mfaAcrValues,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FieldError(String(issue.path[0] ?? "issuer"), "invalid", issue.message);
  }
  return parsed.data;
}

/**
 * Adds an OIDC provider (disabled until an admin enables it) or changes one.
 * An empty client secret keeps the stored one. Returns the provider's id.
 */
export async function saveOidcProvider(
  viewer: Viewer,
  input: OidcProviderInput,
  audit: AuditContext,
  now = new Date(),
): Promise<string> {
  assertMay(viewer, "administer");
  const secret = input.clientSecret?.trim() || null;
  if (!input.id && !secret)
    throw new FieldError("clientSecret", "required", "Enter the client secret the provider gave you.");
  return storeProvider(viewer, "oidc", input, settingsFrom(input), secret, audit, now);
}

/**
 * Writes a provider of `kind` (new ones disabled) with its settings and the
 * common fields, audited in the same transaction. `secret` null keeps the
 * stored one. For the save functions of each kind, which check their input.
 */
export async function storeProvider(
  viewer: Viewer,
  kind: IdentityProviderKind,
  input: ProviderBaseInput,
  settings: Record<string, unknown>,
  secret: string | null,
  audit: AuditContext,
  now: Date,
): Promise<string> {
  assertMay(viewer, "administer");
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [clash] = await tx
      .select({ id: identityProviders.id })
      .from(identityProviders)
      .where(and(eq(identityProviders.slug, input.slug), input.id ? ne(identityProviders.id, input.id) : undefined));
    if (clash) throw new FieldError("slug", "taken", "Another provider uses this URL name.");
    const values = {
      name: input.name,
      slug: input.slug,
      settings,
      allowedDomains: input.allowedDomains,
      jitProvisioning: input.jitProvisioning,
      acceptIdpMfa: input.acceptIdpMfa,
      departmentClaim: input.departmentClaim,
      managerClaim: input.managerClaim,
      titleClaim: input.titleClaim,
      updatedAt: now,
    };
    // What the audit log keeps: the settings, and only whether the secret changed.
    const logged = { ...values, settings, updatedAt: undefined, secretChanged: secret !== null };
    if (!input.id) {
      const [row] = await tx
        .insert(identityProviders)
        .values({ ...values, kind, enabled: false, createdBy: viewer.id, createdAt: now })
        .returning({ id: identityProviders.id });
      if (secret)
        await tx
          .update(identityProviders)
          .set({ secretEnc: encryptText(secret, providerSecretContext(row.id)) })
          .where(eq(identityProviders.id, row.id));
      await recordAudit(
        tx,
        audit,
        { action: "identity_provider.created", targetType: "identity_provider", targetId: row.id, data: logged },
        now,
      );
      return row.id;
    }
    const [existing] = await tx
      .select({ id: identityProviders.id, kind: identityProviders.kind })
      .from(identityProviders)
      .where(eq(identityProviders.id, input.id))
      .for("update");
    if (!existing || existing.kind !== kind) throw new NotFoundError("That identity provider no longer exists.");
    await tx
      .update(identityProviders)
      .set({ ...values, ...(secret ? { secretEnc: encryptText(secret, providerSecretContext(existing.id)) } : {}) })
      .where(eq(identityProviders.id, existing.id));
    await recordAudit(
      tx,
      audit,
      { action: "identity_provider.updated", targetType: "identity_provider", targetId: existing.id, data: logged },
      now,
    );
    return existing.id;
  });
}

/** How many providers stay enabled if `exceptId` is turned off or removed. */
async function otherEnabled(tx: Executor, exceptId: string): Promise<number> {
  const rows = await tx
    .select({ id: identityProviders.id })
    .from(identityProviders)
    .where(and(eq(identityProviders.enabled, true), ne(identityProviders.id, exceptId)));
  return rows.length;
}

const POLICY_NEEDS_PROVIDER =
  "The “SSO only” policy is on and this is the last enabled provider: turn the policy off first, or nobody it covers could sign in.";

/** Turns a provider on or off. The last enabled one cannot be turned off while the SSO-only policy is on. */
export async function setProviderEnabled(
  viewer: Viewer,
  id: string,
  enabled: boolean,
  audit: AuditContext,
  now = new Date(),
): Promise<void> {
  assertMay(viewer, "administer");
  const db = await getDb();
  await db.transaction(async (tx) => {
    await lockSettings(tx, now);
    const [row] = await tx
      .select({ id: identityProviders.id, enabled: identityProviders.enabled, secretEnc: identityProviders.secretEnc })
      .from(identityProviders)
      .where(eq(identityProviders.id, id))
      .for("update");
    if (!row) throw new NotFoundError("That identity provider no longer exists.");
    if (row.enabled === enabled) return;
    if (!enabled && (await ssoOnlyPolicy(tx)) !== "off" && (await otherEnabled(tx, id)) === 0)
      throw new DomainError("policy_on", POLICY_NEEDS_PROVIDER, 409);
    await tx.update(identityProviders).set({ enabled, updatedAt: now }).where(eq(identityProviders.id, id));
    await recordAudit(
      tx,
      audit,
      {
        action: enabled ? "identity_provider.enabled" : "identity_provider.disabled",
        targetType: "identity_provider",
        targetId: id,
      },
      now,
    );
  });
}

/** Removes a provider with its links to people; sessions it opened lose any MFA it vouched for. */
export async function deleteProvider(viewer: Viewer, id: string, audit: AuditContext, now = new Date()): Promise<void> {
  assertMay(viewer, "administer");
  const db = await getDb();
  await db.transaction(async (tx) => {
    await lockSettings(tx, now);
    const [row] = await tx
      .select({ id: identityProviders.id, slug: identityProviders.slug, enabled: identityProviders.enabled })
      .from(identityProviders)
      .where(eq(identityProviders.id, id))
      .for("update");
    if (!row) throw new NotFoundError("That identity provider no longer exists.");
    if (row.enabled && (await ssoOnlyPolicy(tx)) !== "off" && (await otherEnabled(tx, id)) === 0)
      throw new DomainError("policy_on", POLICY_NEEDS_PROVIDER, 409);
    await tx.delete(identityProviders).where(eq(identityProviders.id, id));
    await recordAudit(
      tx,
      audit,
      { action: "identity_provider.deleted", targetType: "identity_provider", targetId: id, data: { slug: row.slug } },
      now,
    );
  });
}

/** The settings row, created if missing and locked for this transaction: policy and provider changes take turns. */
async function lockSettings(tx: Executor, now: Date): Promise<void> {
  await tx.insert(organisationSettings).values({ id: 1, updatedAt: now }).onConflictDoNothing();
  await tx
    .select({ id: organisationSettings.id })
    .from(organisationSettings)
    .where(eq(organisationSettings.id, 1))
    .for("update");
}

/** Sets the "SSO only" policy; on needs an enabled provider, so nobody it covers is left without a way in. */
export async function setSsoOnlyPolicy(
  viewer: Viewer,
  policy: SsoOnlyPolicy,
  audit: AuditContext,
  now = new Date(),
): Promise<void> {
  assertMay(viewer, "administer");
  const db = await getDb();
  await db.transaction(async (tx) => {
    await lockSettings(tx, now);
    const previous = await ssoOnlyPolicy(tx);
    if (previous === policy) return;
    if (policy !== "off") {
      const [enabled] = await tx
        .select({ id: identityProviders.id })
        .from(identityProviders)
        .where(eq(identityProviders.enabled, true))
        .limit(1);
      if (!enabled)
        throw new FieldError(
          "policy",
          "no_provider",
          "Enable an identity provider first: nobody could sign in otherwise.",
        );
    }
    await tx
      .update(organisationSettings)
      .set({ ssoOnly: policy, updatedBy: viewer.id, updatedAt: now })
      .where(eq(organisationSettings.id, 1));
    await recordAudit(
      tx,
      audit,
      {
        action: "organisation.sso_only_changed",
        targetType: "organisation",
        targetId: "1",
        data: { from: previous, to: policy },
      },
      now,
    );
  });
}

export type ProviderTest = { ok: true; message: string } | { ok: false; message: string };

/**
 * "Test configuration": for OIDC, reads the provider's discovery document now
 * and says what it found, or exactly what is wrong; for SAML, checks the
 * stored IdP settings and the signing certificates' dates. Audited, since
 * it may make this server call out.
 */
export async function testProvider(
  viewer: Viewer,
  id: string,
  audit: AuditContext,
  now = new Date(),
): Promise<ProviderTest> {
  assertMay(viewer, "administer");
  const db = await getDb();
  const [row] = await db
    .select({
      id: identityProviders.id,
      kind: identityProviders.kind,
      settings: identityProviders.settings,
      secretEnc: identityProviders.secretEnc,
      updatedAt: identityProviders.updatedAt,
    })
    .from(identityProviders)
    .where(eq(identityProviders.id, id));
  if (!row) throw new NotFoundError("That identity provider no longer exists.");
  let result: ProviderTest;
  if (row.kind === "saml") {
    result = testSamlProvider(row.settings, now);
  } else {
    try {
      const settings = providerSettings("oidc", row.settings);
      // The secret is only checked for presence; the provider proves it at the first sign-in.
      const config = await oidcConfiguration(
        { id: row.id, updatedAt: row.updatedAt, settings, secret: row.secretEnc ? "set" : null },
        { fresh: true },
      );
      const metadata = config.serverMetadata();
      const missing = ["authorization_endpoint", "token_endpoint", "jwks_uri"].filter(
        (k) => !metadata[k as keyof typeof metadata],
      );
      const scopes = metadata.scopes_supported;
      const unsupported = scopes ? settings.scopes.filter((s) => !scopes.includes(s)) : [];
      if (missing.length) result = { ok: false, message: `The discovery document has no ${missing.join(", ")}.` };
      else if (!(metadata.code_challenge_methods_supported ?? ["S256"]).includes("S256"))
        result = { ok: false, message: "The provider does not support PKCE with S256, which Clearance requires." };
      else if (unsupported.length)
        result = {
          ok: false,
          message: `The provider does not offer the scope${unsupported.length > 1 ? "s" : ""} ${unsupported.join(", ")}.`,
        };
      else
        result = {
          ok: true,
          message: `Discovery succeeded: issuer ${metadata.issuer}, authorization at ${metadata.authorization_endpoint}.`,
        };
    } catch (error) {
      result = { ok: false, message: describeDiscoveryError(error) };
    }
  }
  await recordAudit(
    db,
    audit,
    { action: "identity_provider.tested", targetType: "identity_provider", targetId: id, data: { ok: result.ok } },
    now,
  );
  return result;
}

/** A SAML provider's stored settings, read as sign-in reads them, and its certificates at `now`. */
function testSamlProvider(stored: unknown, now: Date): ProviderTest {
  const settings = storedSamlSettingsSchema.safeParse(stored);
  if (!settings.success)
    return { ok: false, message: "The stored settings are incomplete: paste the metadata again and save." };
  const { idpEntityId, idpSsoUrl, idpCertificates } = settings.data;
  const certificates = checkCertificates(idpCertificates, now);
  return {
    ok: certificates.ok,
    message: `Identity provider ${idpEntityId}, single sign-on at ${idpSsoUrl}. ${certificates.message}`,
  };
}

/** The policy for the admin page. */
export async function currentSsoOnlyPolicy(viewer: Viewer): Promise<SsoOnlyPolicy> {
  assertMay(viewer, "administer");
  return ssoOnlyPolicy(await getDb());
}
