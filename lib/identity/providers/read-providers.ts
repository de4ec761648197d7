import "server-only";

import { and, asc, eq } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { identityProviders, type IdentityProviderKind } from "@/db/schema";
import { decryptText } from "@/lib/crypto/encryption";
import { env } from "@/lib/env";

import { providerSettings, type ProviderSettings } from "./settings";

/** The associated data a provider's secret is encrypted under: a secret copied to another row does not decrypt. */
export const providerSecretContext = (id: string) => `identity-provider:${id}`;

/** The sign-in buttons: enabled providers, by name. Public: names and URLs only. */
export async function signInOptions(
  db: Executor,
): Promise<{ kind: IdentityProviderKind; slug: string; name: string; startPath: string }[]> {
  const rows = await db
    .select({ kind: identityProviders.kind, slug: identityProviders.slug, name: identityProviders.name })
    .from(identityProviders)
    .where(eq(identityProviders.enabled, true))
    .orderBy(asc(identityProviders.name));
  return rows.map((r) => ({ ...r, startPath: `/api/sso/${r.kind}/${r.slug}/start` }));
}

export type ProviderForSignIn<K extends IdentityProviderKind> = {
  id: string;
  slug: string;
  name: string;
  enabled: boolean;
  updatedAt: Date;
  settings: ProviderSettings<K>;
  /** The decrypted secret (OIDC client secret); for the protocol layer only, never for a page. */
  secret: string | null;
};

/** A provider of `kind` by its slug, with its settings checked and its secret decrypted; null if there is none. */
export async function providerForSignIn<K extends IdentityProviderKind>(
  db: Executor,
  kind: K,
  slug: string,
): Promise<ProviderForSignIn<K> | null> {
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(slug)) return null;
  const [row] = await db
    .select({
      id: identityProviders.id,
      slug: identityProviders.slug,
      name: identityProviders.name,
      enabled: identityProviders.enabled,
      updatedAt: identityProviders.updatedAt,
      settings: identityProviders.settings,
      secretEnc: identityProviders.secretEnc,
    })
    .from(identityProviders)
    .where(and(eq(identityProviders.kind, kind), eq(identityProviders.slug, slug)))
    .limit(1);
  if (!row) return null;
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    enabled: row.enabled,
    updatedAt: row.updatedAt,
    settings: providerSettings(kind, row.settings),
    secret: row.secretEnc ? decryptText(row.secretEnc, providerSecretContext(row.id)) : null,
  };
}

/** The URL a provider sends the browser back to; the admin page shows it to copy into the provider. */
export function ssoCallbackUrl(kind: IdentityProviderKind, slug: string): string {
  return new URL(`/api/sso/${kind}/${slug}/${kind === "oidc" ? "callback" : "acs"}`, env().APP_URL).toString();
}
