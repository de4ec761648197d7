import "server-only";
import { and, eq, gt, isNull, or } from "drizzle-orm";
import { getDb } from "@/db/client";
import { loginAttempts, people, recoveryCodes } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { decryptText } from "@/lib/crypto/encryption";
import { dummyPasswordHash, verifyPassword } from "@/lib/crypto/password";
import { matchTotp } from "@/lib/crypto/totp";
import { recoveryCodeHash } from "./mfa";
import { THROTTLE, minutesUntil, throttleVerdict, type Attempt } from "./throttle";

export type SignInInput = { email: string; password: string; code?: string; ip: string; userAgent: string | null; now?: Date };

export type SignInFailure = "invalid_credentials" | "locked" | "mfa_required" | "invalid_code" | "inactive";

export type SignInResult =
  | { ok: true; personId: string; method: "password" | "password+totp" | "password+recovery_code" }
  | { ok: false; reason: SignInFailure; retryInMinutes?: number };

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Checks a sign-in attempt against the throttle, the password and, when
 * enrolled, a TOTP or recovery code. Every outcome is stored for throttling
 * and recorded in the audit log; no password or code is ever stored or logged.
 */
export async function authenticate(input: SignInInput): Promise<SignInResult> {
  const db = await getDb();
  const now = input.now ?? new Date();
  const email = normaliseEmail(input.email).slice(0, 320);
  const since = new Date(now.getTime() - THROTTLE.windowMs);
  const context = { actorId: null, actorLabel: "anonymous", ip: input.ip, userAgent: input.userAgent };

  const recent = await db
    .select({ email: loginAttempts.email, ip: loginAttempts.ip, outcome: loginAttempts.outcome, at: loginAttempts.at })
    .from(loginAttempts)
    .where(and(gt(loginAttempts.at, since), or(eq(loginAttempts.email, email), eq(loginAttempts.ip, input.ip))));
  const accountAttempts: Attempt[] = recent.filter((a) => a.email === email);
  const ipAttempts: Attempt[] = recent.filter((a) => a.ip === input.ip);
  const verdict = throttleVerdict(accountAttempts, ipAttempts, now);
  if (!verdict.allowed) {
    await db.insert(loginAttempts).values({ email, ip: input.ip, outcome: "refused", at: now });
    return { ok: false, reason: "locked", retryInMinutes: minutesUntil(verdict.retryAt, now) };
  }

  const [person] = await db
    .select({
      id: people.id,
      email: people.email,
      status: people.status,
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
    await db.transaction(async (tx) => {
      await tx.insert(loginAttempts).values({ email, ip: input.ip, outcome: "failure", at: now });
      await recordAudit(
        tx,
        context,
        { action: "auth.sign_in_failed", targetType: person ? "person" : undefined, targetId: person?.id, data: { reason: detail } },
        now,
      );
      const after = throttleVerdict([...accountAttempts, { at: now, outcome: "failure" }], [...ipAttempts, { at: now, outcome: "failure" }], now);
      if (!after.allowed) {
        await recordAudit(
          tx,
          context,
          { action: "auth.locked", targetType: person ? "person" : undefined, targetId: person?.id, data: { scope: after.scope, until: after.retryAt.toISOString() } },
          now,
        );
      }
    });
    return { ok: false, reason };
  };

  if (!person || !passwordOk) return fail("invalid_credentials", person ? "wrong_password" : "unknown_account");
  if (person.status !== "active") return fail("inactive", `account_${person.status}`);

  let method: "password" | "password+totp" | "password+recovery_code" = "password";
  if (person.mfaEnabledAt && person.mfaSecretEnc) {
    const code = input.code?.trim();
    if (!code) return { ok: false, reason: "mfa_required" };
    const secret = decryptText(person.mfaSecretEnc, `mfa:${person.id}`);
    const step = matchTotp(secret, code, now, person.mfaLastStep);
    if (step !== null) {
      await db.update(people).set({ mfaLastStep: step }).where(eq(people.id, person.id));
      method = "password+totp";
    } else {
      const used = await consumeRecoveryCode(person.id, code, now);
      if (!used) return fail("invalid_code", "wrong_mfa_code");
      method = "password+recovery_code";
      await recordAudit(db, { ...context, actorId: person.id, actorLabel: person.email }, { action: "auth.recovery_code_used", targetType: "person", targetId: person.id }, now);
    }
  }

  await db.transaction(async (tx) => {
    await tx.insert(loginAttempts).values({ email, ip: input.ip, outcome: "success", at: now });
    await recordAudit(tx, { ...context, actorId: person.id, actorLabel: person.email }, { action: "auth.signed_in", targetType: "person", targetId: person.id, data: { method } }, now);
  });
  return { ok: true, personId: person.id, method };
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
