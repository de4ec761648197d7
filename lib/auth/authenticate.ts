import "server-only";

import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { and, eq, isNull } from "drizzle-orm";

import { getDb } from "@/db/client";
import { loginAttempts, passkeys, people, recoveryCodes } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { decryptText } from "@/lib/crypto/encryption";
import { dummyPasswordHash, verifyPassword } from "@/lib/crypto/password";
import { matchTotp } from "@/lib/crypto/totp";
import { ssoRequiredFor } from "@/lib/identity/sso/policy";
import { metrics } from "@/lib/metrics";

import { settleAttempt, takeAttempt } from "./attempt-limit";
import { recoveryCodeHash } from "./mfa";
import { checkPasskeyAnswer } from "./passkey-sign-in";
import { accountLimit, ipLimit, minutesUntil, THROTTLE } from "./throttle";
import { claimTotpStep } from "./totp-step";

export type SignInInput = {
  email: string;
  password: string;
  code?: string;
  /** A passkey's answer as the second factor, with the secret of the browser its challenge was bound to. */
  passkey?: { response: AuthenticationResponseJSON; browserSecret: string };
  ip: string;
  userAgent: string | null;
  now?: Date;
};

export type SignInFailure =
  "invalid_credentials" | "locked" | "mfa_required" | "invalid_code" | "invalid_passkey" | "inactive" | "sso_required";

export type SignInMethod = "password" | "password+totp" | "password+recovery_code" | "password+passkey";

export type SignInResult =
  | { ok: true; personId: string; method: SignInMethod }
  | { ok: false; reason: SignInFailure; retryInMinutes?: number; factors?: ("totp" | "passkey")[] };

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Checks a sign-in attempt against the throttle, the password and, when
 * enrolled, a TOTP or recovery code. The throttle's tries are taken first,
 * atomically, so at most 5 tries for an account are ever checked at once. Every outcome is stored for throttling
 * and recorded in the audit log; no password or code is ever stored or logged.
 */
export async function authenticate(input: SignInInput): Promise<SignInResult> {
  const db = await getDb();
  const now = input.now ?? new Date();
  const email = normaliseEmail(input.email).slice(0, 320);
  const context = { actorId: null, actorLabel: "anonymous", ip: input.ip, userAgent: input.userAgent };
  const account = accountLimit(email);
  const fromIp = ipLimit(input.ip);

  // Both tries are taken before the password is checked: requests sent together each take their own.
  const accountTry = await takeAttempt(db, account, now);
  const ipTry = accountTry.ok ? await takeAttempt(db, fromIp, now) : null;
  if (!accountTry.ok || !ipTry?.ok) {
    if (accountTry.ok) await settleAttempt(db, account, "release");
    const retryAt = !accountTry.ok ? accountTry.retryAt : (ipTry as { retryAt: Date }).retryAt;
    await db.insert(loginAttempts).values({ email, ip: input.ip, outcome: "refused", at: now });
    metrics().signinFailures.inc({ method: "password", reason: "throttled" });
    return { ok: false, reason: "locked", retryInMinutes: minutesUntil(retryAt, now) };
  }

  const [person] = await db
    .select({
      id: people.id,
      email: people.email,
      status: people.status,
      roles: people.roles,
      passwordHash: people.passwordHash,
      mfaSecretEnc: people.mfaSecretEnc,
      mfaEnabledAt: people.mfaEnabledAt,
      mfaLastStep: people.mfaLastStep,
    })
    .from(people)
    .where(eq(people.email, email))
    .limit(1);

  const passwordOk = await verifyPassword(input.password, person?.passwordHash ?? (await dummyPasswordHash()));

  const fail = async (reason: SignInFailure, detail: string): Promise<SignInResult> => {
    const target = person ? { targetType: "person", targetId: person.id } : {};
    const locked = accountTry.count >= account.limit ? "account" : ipTry.count >= fromIp.limit ? "ip" : null;
    await db.transaction(async (tx) => {
      await tx.insert(loginAttempts).values({ email, ip: input.ip, outcome: "failure", at: now });
      await recordAudit(tx, context, { action: "auth.sign_in_failed", ...target, data: { reason: detail } }, now);
      if (locked) {
        const until = new Date(now.getTime() + THROTTLE.lockMs).toISOString();
        await recordAudit(tx, context, { action: "auth.locked", ...target, data: { scope: locked, until } }, now);
      }
    });
    metrics().signinFailures.inc({ method: "password", reason: detail });
    if (locked) metrics().signinLockouts.inc({ scope: locked });
    return { ok: false, reason };
  };

  if (!person || !passwordOk) return fail("invalid_credentials", person ? "wrong_password" : "unknown_account");
  if (person.status !== "active") return fail("inactive", `account_${person.status}`);
  // Checked after the password, so the answer tells nobody who must use single sign-on.
  if (await ssoRequiredFor(db, person.roles)) return fail("sso_required", "sso_only_policy");

  let method: SignInMethod = "password";
  const hasTotp = Boolean(person.mfaEnabledAt && person.mfaSecretEnc);
  const hasPasskey =
    (await db.select({ id: passkeys.id }).from(passkeys).where(eq(passkeys.personId, person.id)).limit(1)).length > 0;
  if (hasTotp || hasPasskey) {
    const code = input.code?.trim();
    if (!code && !input.passkey) {
      // The first of two steps, not a guess: the tries are given back.
      await settleAttempt(db, account, "release");
      await settleAttempt(db, fromIp, "release");
      return {
        ok: false,
        reason: "mfa_required",
        factors: [...(hasTotp ? (["totp"] as const) : []), ...(hasPasskey ? (["passkey"] as const) : [])],
      };
    }
    const second = await verifySecondFactor(person, { code, passkey: input.passkey }, context, now);
    if (!second.ok) return fail(second.reason, second.detail);
    method = `password+${second.method}`;
  }

  await settleAttempt(db, account, "reset");
  await settleAttempt(db, fromIp, "release");
  await db.transaction(async (tx) => {
    await tx.insert(loginAttempts).values({ email, ip: input.ip, outcome: "success", at: now });
    await recordAudit(
      tx,
      { ...context, actorId: person.id, actorLabel: person.email },
      {
        action: "auth.signed_in",
        targetType: "person",
        targetId: person.id,
        data: { method, phishingResistant: method === "password+passkey" },
      },
      now,
    );
  });
  return { ok: true, personId: person.id, method };
}

export type SecondFactorPerson = {
  id: string;
  email: string;
  mfaSecretEnc: string | null;
  mfaEnabledAt: Date | null;
  mfaLastStep: number | null;
};

export type SecondFactorCheck =
  | { ok: true; method: "totp" | "recovery_code" | "passkey" }
  | { ok: false; reason: "invalid_code" | "invalid_passkey"; detail: string };

/**
 * Checks the second factor a person gave at sign-in: a passkey's answer (that
 * person's key, this browser's challenge), else a TOTP code (each time step
 * once) or an unused recovery code. The caller has taken the sign-in tries.
 */
export async function verifySecondFactor(
  person: SecondFactorPerson,
  input: { code?: string; passkey?: SignInInput["passkey"] },
  context: { ip: string; userAgent: string | null },
  now: Date,
): Promise<SecondFactorCheck> {
  const db = await getDb();
  if (input.passkey) {
    const check = await checkPasskeyAnswer(db, input.passkey.response, input.passkey.browserSecret, person.id, now);
    return check.ok
      ? { ok: true, method: "passkey" }
      : { ok: false, reason: "invalid_passkey", detail: `passkey_${check.reason}` };
  }
  const code = input.code?.trim();
  if (!code || !person.mfaEnabledAt || !person.mfaSecretEnc)
    return { ok: false, reason: "invalid_code", detail: "code_without_totp" };
  const secret = decryptText(person.mfaSecretEnc, `mfa:${person.id}`);
  const step = matchTotp(secret, code, now, person.mfaLastStep);
  if (step !== null) {
    if (!(await claimTotpStep(db, person.id, step)))
      return { ok: false, reason: "invalid_code", detail: "reused_mfa_code" };
    return { ok: true, method: "totp" };
  }
  if (!(await consumeRecoveryCode(person.id, code, now)))
    return { ok: false, reason: "invalid_code", detail: "wrong_mfa_code" };
  await recordAudit(
    db,
    { ...context, actorId: person.id, actorLabel: person.email },
    { action: "auth.recovery_code_used", targetType: "person", targetId: person.id },
    now,
  );
  return { ok: true, method: "recovery_code" };
}

/** Marks a recovery code used; a code works once, even with two tries at the same moment. */
async function consumeRecoveryCode(personId: string, input: string, now: Date): Promise<boolean> {
  const db = await getDb();
  const hash = recoveryCodeHash(personId, input);
  const updated = await db
    .update(recoveryCodes)
    .set({ usedAt: now })
    .where(and(eq(recoveryCodes.personId, personId), eq(recoveryCodes.codeHash, hash), isNull(recoveryCodes.usedAt)))
    .returning({ id: recoveryCodes.id });
  return updated.length === 1;
}
