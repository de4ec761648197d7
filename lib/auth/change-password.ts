import "server-only";

import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import { eq } from "drizzle-orm";

import { getDb } from "@/db/client";
import { passkeys, people } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import { decryptText } from "@/lib/crypto/encryption";
import { hashPassword, verifyPassword } from "@/lib/crypto/password";
import { matchTotp } from "@/lib/crypto/totp";
import { DomainError, FieldError } from "@/lib/errors";
import { plural } from "@/lib/format";
import type { RequestMeta } from "@/lib/http/request-context";

import { settleAttempt, takeAttempt, type AttemptLimit } from "./attempt-limit";
import { checkPasskeyAnswer } from "./passkey-sign-in";
import { passwordProblem } from "./password.rules";
import type { Viewer } from "./roles";
import { revokeSessionsOf, startSession } from "./sessions";
import { minutesUntil, THROTTLE } from "./throttle";
import { claimTotpStep } from "./totp-step";

/** Wrong current passwords or codes on /account count like failed sign-ins: 5 per 15 minutes, then a pause. */
export function changePasswordLimit(personId: string): AttemptLimit {
  return {
    key: `change-password:${personId}`,
    limit: THROTTLE.accountFailures,
    windowMs: THROTTLE.windowMs,
    lockMs: THROTTLE.lockMs,
  };
}

export type ChangePasswordInput = {
  current: string;
  next: string;
  code?: string;
  /** A passkey's answer to a prompt bound to this browser, as the second factor. */
  passkey?: { response: AuthenticationResponseJSON; browserSecret: string };
};

/**
 * A signed-in person changes their password. A cookie alone is not enough:
 * the current password and, when the person has a second factor, an
 * authenticator code or one of their passkeys prove it is them. A try is taken before either is checked. The new password, the end of
 * every session and the new session for this browser commit together; the
 * caller points the cookie at the returned session.
 */
export async function changePassword(
  viewer: Viewer,
  input: ChangePasswordInput,
  context: AuditContext & RequestMeta,
  now = new Date(),
): Promise<{ sessionId: string }> {
  const db = await getDb();
  const limit = changePasswordLimit(viewer.id);
  const taken = await takeAttempt(db, limit, now);
  if (!taken.ok)
    throw new DomainError(
      "locked",
      `Too many wrong tries. Try again in ${plural(minutesUntil(taken.retryAt, now), "minute")}.`,
      429,
    );

  const [person] = await db
    .select({
      passwordHash: people.passwordHash,
      mfaSecretEnc: people.mfaSecretEnc,
      mfaEnabledAt: people.mfaEnabledAt,
      mfaLastStep: people.mfaLastStep,
    })
    .from(people)
    .where(eq(people.id, viewer.id));
  const refuse = async (field: string, reason: string, message: string) => {
    // In a transaction: the audit chain's lock is held per transaction.
    await db.transaction((tx) =>
      recordAudit(
        tx,
        context,
        { action: "auth.password_change_failed", targetType: "person", targetId: viewer.id, data: { reason } },
        now,
      ),
    );
    return new FieldError(field, reason, message);
  };
  if (!person || !(await verifyPassword(input.current, person.passwordHash)))
    throw await refuse("current", "wrong_password", "Your current password is not right.");

  let factor: "password" | "password+totp" | "password+passkey" = "password";
  const hasTotp = Boolean(person.mfaEnabledAt && person.mfaSecretEnc);
  const hasPasskey =
    (await db.select({ id: passkeys.id }).from(passkeys).where(eq(passkeys.personId, viewer.id)).limit(1)).length > 0;
  if (input.passkey && hasPasskey) {
    const check = await checkPasskeyAnswer(db, input.passkey.response, input.passkey.browserSecret, viewer.id, now);
    if (!check.ok)
      throw await refuse("passkey", `passkey_${check.reason}`, "Your passkey was not accepted. Try again.");
    factor = "password+passkey";
  } else if (hasTotp) {
    const code = input.code?.trim() ?? "";
    const step = code
      ? matchTotp(decryptText(person.mfaSecretEnc!, `mfa:${viewer.id}`), code, now, person.mfaLastStep)
      : null;
    if (step === null || !(await claimTotpStep(db, viewer.id, step)))
      throw await refuse(
        "code",
        "wrong_mfa_code",
        hasPasskey
          ? "Enter the current 6-digit code from your authenticator app, or confirm with your passkey."
          : "Enter the current 6-digit code from your authenticator app.",
      );
    factor = "password+totp";
  } else if (hasPasskey) {
    throw await refuse("passkey", "passkey_required", "Confirm the change with your passkey.");
  }
  // The person proved who they are: a weak new password is a mistake to fix, not a guess.
  await settleAttempt(db, limit, "reset");

  const problem = passwordProblem(input.next, {
    email: viewer.email,
    name: viewer.name,
    hasSecondFactor: viewer.mfaEnabled,
  });
  if (problem) throw new FieldError("next", "weak_password", problem);
  const passwordHash = await hashPassword(input.next);
  const sessionId = await db.transaction(async (tx) => {
    await tx.update(people).set({ passwordHash, updatedAt: now }).where(eq(people.id, viewer.id));
    const ended = await revokeSessionsOf(tx, viewer.id, "password_changed", now);
    const sid = await startSession(
      tx,
      { personId: viewer.id, method: factor, ip: context.ip, userAgent: context.userAgent },
      now,
    );
    await recordAudit(
      tx,
      context,
      {
        action: "person.password_changed",
        targetType: "person",
        targetId: viewer.id,
        data: { via: "account", factor, sessionsEnded: ended },
      },
      now,
    );
    return sid;
  });
  return { sessionId };
}
