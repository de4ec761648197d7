import "server-only";

import { and, eq } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { identityProviders, organisationSettings, type AppRole, type SsoOnlyPolicy } from "@/db/schema";
import { MFA_REQUIRED_ROLES } from "@/lib/auth/roles";

/** The organisation's "SSO only" policy; "off" until a compliance admin sets it. */
export async function ssoOnlyPolicy(db: Executor): Promise<SsoOnlyPolicy> {
  const [row] = await db.select({ ssoOnly: organisationSettings.ssoOnly }).from(organisationSettings).limit(1);
  return row?.ssoOnly ?? "off";
}

/** Whether the policy makes a person with these roles sign in through an identity provider (pure). */
export function ssoOnlyApplies(policy: SsoOnlyPolicy, roles: readonly string[]): boolean {
  if (policy === "everyone") return true;
  if (policy === "privileged") return roles.some((r) => MFA_REQUIRED_ROLES.includes(r as AppRole));
  return false;
}

/**
 * Whether a person with these roles must sign in through an identity provider
 * now: the policy applies to them and a provider is enabled (the admin page
 * refuses to leave the policy on with none, so this guards only a race).
 */
export async function ssoRequiredFor(db: Executor, roles: readonly string[]): Promise<boolean> {
  if (!ssoOnlyApplies(await ssoOnlyPolicy(db), roles)) return false;
  const [enabled] = await db
    .select({ id: identityProviders.id })
    .from(identityProviders)
    .where(and(eq(identityProviders.enabled, true)))
    .limit(1);
  return Boolean(enabled);
}
