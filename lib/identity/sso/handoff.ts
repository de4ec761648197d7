import "server-only";

import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { and, eq, gt, isNull } from "drizzle-orm";

import { getDb, type Executor } from "@/db/client";
import { identityProviders, loginAttempts, passkeys, people, ssoHandoffs, type AppRole } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { settleAttempt, takeAttempt } from "@/lib/auth/attempt-limit";
import { verifySecondFactor } from "@/lib/auth/authenticate";
import { MFA_REQUIRED_ROLES } from "@/lib/auth/roles";
import { accountLimit, ipLimit, minutesUntil } from "@/lib/auth/throttle";
import { sha256Hex } from "@/lib/crypto/hash";
import { randomToken } from "@/lib/crypto/tokens";

/** How long the browser has to exchange a vouched-for sign-in for a session (and give a second factor, if asked). */
export const HANDOFF_TTL_MS = 2 * 60_000;
/** The HttpOnly cookie that binds a handoff token to the browser that came back from the provider. */
export const SSO_BROWSER_COOKIE = "clearance.sso-browser";

export type SsoMethod = "sso_oidc" | "sso_saml";

/** Stores a one-time handoff for `personId`; returns the token and the browser secret, neither stored in clear. */
export async function createHandoff(
  db: Executor,
  input: { personId: string; providerId: string; method: SsoMethod; mfaByIdp: boolean; now: Date },
): Promise<{ handoffToken: string; browserSecret: string }> {
  const handoffToken = randomToken();
  const browserSecret = randomToken();
  await db.insert(ssoHandoffs).values({
    tokenHash: sha256Hex(handoffToken),
    browserHash: sha256Hex(browserSecret),
    personId: input.personId,
    providerId: input.providerId,
    method: input.method,
    mfaByIdp: input.mfaByIdp,
    createdAt: input.now,
    expiresAt: new Date(input.now.getTime() + HANDOFF_TTL_MS),
  });
  return { handoffToken, browserSecret };
}

export type HandoffExchange =
  | { ok: true; personId: string; providerId: string; method: SsoMethod; mfaByIdp: boolean }
  | {
      ok: false;
      reason: "handoff_invalid" | "locked" | "mfa_required" | "invalid_code" | "invalid_passkey" | "inactive";
      retryInMinutes?: number;
      factors?: ("totp" | "passkey")[];
    };

/**
 * Exchanges a handoff token for the right to open a session: only from the
 * browser it was given to, once, within two minutes. A privileged person
 * whose provider did not vouch for MFA (or is not trusted for it) gives
 * Clearance's own second factor first, if they have one; one who has none
 * signs in and must enrol before anything else, as after a password.
 */
export async function exchangeSsoHandoff(input: {
  token: string;
  browserSecret: string;
  code?: string;
  passkey?: { response: AuthenticationResponseJSON; browserSecret: string };
  ip: string;
  userAgent: string | null;
  now?: Date;
}): Promise<HandoffExchange> {
  const db = await getDb();
  const now = input.now ?? new Date();
  const fromIp = ipLimit(input.ip);
  const context = { actorId: null, actorLabel: "anonymous", ip: input.ip, userAgent: input.userAgent };
  const taken = await takeAttempt(db, fromIp, now);
  if (!taken.ok) return { ok: false, reason: "locked", retryInMinutes: minutesUntil(taken.retryAt, now) };

  const refuse = async (
    reason: string,
    answer: HandoffExchange & { ok: false },
    person?: { id: string; email: string },
  ): Promise<HandoffExchange> => {
    await db.transaction(async (tx) => {
      await tx
        .insert(loginAttempts)
        .values({ email: person?.email ?? "(sso)", ip: input.ip, outcome: "failure", at: now });
      await recordAudit(
        tx,
        context,
        {
          action: "auth.sso_refused",
          ...(person ? { targetType: "person", targetId: person.id } : {}),
          data: { reason, step: "handoff" },
        },
        now,
      );
    });
    return answer;
  };

  const [handoff] = await db
    .select({
      id: ssoHandoffs.id,
      personId: ssoHandoffs.personId,
      providerId: ssoHandoffs.providerId,
      method: ssoHandoffs.method,
      mfaByIdp: ssoHandoffs.mfaByIdp,
    })
    .from(ssoHandoffs)
    .where(
      and(
        eq(ssoHandoffs.tokenHash, sha256Hex(input.token)),
        eq(ssoHandoffs.browserHash, sha256Hex(input.browserSecret)),
        isNull(ssoHandoffs.usedAt),
        gt(ssoHandoffs.expiresAt, now),
      ),
    )
    .limit(1);
  if (!handoff) return refuse("handoff_invalid", { ok: false, reason: "handoff_invalid" });

  const [person] = await db
    .select({
      id: people.id,
      email: people.email,
      status: people.status,
      roles: people.roles,
      mfaSecretEnc: people.mfaSecretEnc,
      mfaEnabledAt: people.mfaEnabledAt,
      mfaLastStep: people.mfaLastStep,
    })
    .from(people)
    .where(eq(people.id, handoff.personId));
  const [provider] = await db
    .select({ enabled: identityProviders.enabled, acceptIdpMfa: identityProviders.acceptIdpMfa })
    .from(identityProviders)
    .where(eq(identityProviders.id, handoff.providerId));
  if (!provider?.enabled) return refuse("provider_disabled", { ok: false, reason: "handoff_invalid" }, person);
  if (person.status !== "active") return refuse("account_inactive", { ok: false, reason: "inactive" }, person);

  const mfaByIdp = handoff.mfaByIdp && provider.acceptIdpMfa;
  const privileged = (person.roles as AppRole[]).some((r) => MFA_REQUIRED_ROLES.includes(r));
  let mfa: string = mfaByIdp ? "idp" : "none";
  if (privileged && !mfaByIdp) {
    const hasTotp = Boolean(person.mfaEnabledAt && person.mfaSecretEnc);
    const hasPasskey =
      (await db.select({ id: passkeys.id }).from(passkeys).where(eq(passkeys.personId, person.id)).limit(1)).length > 0;
    if (hasTotp || hasPasskey) {
      if (!input.code?.trim() && !input.passkey) {
        // The first of two steps, not a guess: the try is given back.
        await settleAttempt(db, fromIp, "release");
        return {
          ok: false,
          reason: "mfa_required",
          factors: [...(hasTotp ? (["totp"] as const) : []), ...(hasPasskey ? (["passkey"] as const) : [])],
        };
      }
      // Codes are guessed against the account's limit, as at the password form.
      const account = accountLimit(person.email);
      const accountTry = await takeAttempt(db, account, now);
      if (!accountTry.ok) return { ok: false, reason: "locked", retryInMinutes: minutesUntil(accountTry.retryAt, now) };
      const second = await verifySecondFactor(person, { code: input.code, passkey: input.passkey }, context, now);
      if (!second.ok) return refuse(second.detail, { ok: false, reason: second.reason }, person);
      await settleAttempt(db, account, "reset");
      mfa = second.method;
    }
  }

  // Used up in one statement: of two exchanges sent together, one opens a session.
  const used = await db
    .update(ssoHandoffs)
    .set({ usedAt: now })
    .where(and(eq(ssoHandoffs.id, handoff.id), isNull(ssoHandoffs.usedAt), gt(ssoHandoffs.expiresAt, now)))
    .returning({ id: ssoHandoffs.id });
  if (used.length === 0) return refuse("handoff_invalid", { ok: false, reason: "handoff_invalid" }, person);

  await settleAttempt(db, fromIp, "release");
  await db.transaction(async (tx) => {
    await tx.insert(loginAttempts).values({ email: person.email, ip: input.ip, outcome: "success", at: now });
    await recordAudit(
      tx,
      { ...context, actorId: person.id, actorLabel: person.email },
      {
        action: "auth.sso_signed_in",
        targetType: "person",
        targetId: person.id,
        data: { provider: handoff.providerId, method: handoff.method, mfa },
      },
      now,
    );
  });
  return { ok: true, personId: person.id, providerId: handoff.providerId, method: handoff.method, mfaByIdp };
}
