import "server-only";

import {
  generateAuthenticationOptions,
  verifyAuthenticationResponse,
  type AuthenticationResponseJSON,
} from "@simplewebauthn/server";
import { and, eq, or, sql } from "drizzle-orm";

import { getDb, type Executor } from "@/db/client";
import { loginAttempts, passkeys, people } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { env } from "@/lib/env";
import { DomainError } from "@/lib/errors";
import { hitRateLimit } from "@/lib/http/rate-limit";
import { ssoRequiredFor } from "@/lib/identity/sso/policy";
import { metrics } from "@/lib/metrics";

import { settleAttempt, takeAttempt } from "./attempt-limit";
import { ipLimit, minutesUntil } from "./throttle";
import { claimedChallenge, relyingParty, storeChallenge, takeChallenge } from "./webauthn";

const PROMPTS_PER_IP = 60;
const PROMPT_WINDOW_SECONDS = 15 * 60;

/** Options for navigator.credentials.get(), with a challenge bound to this browser's secret cookie. */
export async function startPasskeyPrompt(browserSecret: string, ip: string, now = new Date()) {
  const db = await getDb();
  const verdict = await hitRateLimit(db, `passkey-prompt:${ip}`, PROMPTS_PER_IP, PROMPT_WINDOW_SECONDS, now);
  if (!verdict.allowed)
    throw new DomainError("rate_limited", "Too many sign-in attempts from your network. Try again later.", 429);
  const options = await generateAuthenticationOptions({ rpID: relyingParty().id, userVerification: "required" });
  await storeChallenge(db, options.challenge, { purpose: "sign_in", browserSecret }, now);
  return options;
}

export type PasskeyCheck =
  | { ok: true; personId: string; passkeyId: string }
  | {
      ok: false;
      reason: "challenge_invalid" | "unknown_passkey" | "wrong_person" | "invalid_signature" | "replayed_counter";
    };

/**
 * Checks a passkey's answer: the challenge is used up first (this browser's,
 * once, in time), then the signature, origin, RP ID and user verification,
 * then the signature counter is raised in one conditional update so a cloned
 * authenticator replaying an older count is refused. With `personId`, the
 * passkey must be that person's (the second factor after a password).
 */
export async function checkPasskeyAnswer(
  db: Executor,
  response: AuthenticationResponseJSON,
  browserSecret: string,
  personId: string | null,
  now = new Date(),
): Promise<PasskeyCheck> {
  const challenge = claimedChallenge(response?.response?.clientDataJSON ?? "");
  if (!challenge || !(await takeChallenge(db, challenge, { purpose: "sign_in", browserSecret }, now)))
    return { ok: false, reason: "challenge_invalid" };
  const [key] = await db
    .select({
      id: passkeys.id,
      personId: passkeys.personId,
      credentialId: passkeys.credentialId,
      publicKey: passkeys.publicKey,
      counter: passkeys.counter,
      transports: passkeys.transports,
    })
    .from(passkeys)
    .where(eq(passkeys.credentialId, String(response.id ?? "")))
    .limit(1);
  if (!key) return { ok: false, reason: "unknown_passkey" };
  if (personId && key.personId !== personId) return { ok: false, reason: "wrong_person" };
  const rp = relyingParty();
  let newCounter: number;
  try {
    const verification = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: {
        id: key.credentialId,
        publicKey: Buffer.from(key.publicKey, "base64url"),
        counter: key.counter,
        transports: key.transports,
      },
      requireUserVerification: true,
    });
    if (!verification.verified) return { ok: false, reason: "invalid_signature" };
    newCounter = verification.authenticationInfo.newCounter;
  } catch (error) {
    // The library refuses a counter that did not grow; anything else is a bad answer.
    return {
      ok: false,
      reason: error instanceof Error && /counter/i.test(error.message) ? "replayed_counter" : "invalid_signature",
    };
  }
  const raised = await db
    .update(passkeys)
    .set({ counter: newCounter, lastUsedAt: now })
    .where(
      and(
        eq(passkeys.id, key.id),
        or(sql`${passkeys.counter} < ${newCounter}`, sql`${passkeys.counter} = 0 and ${newCounter}::bigint = 0`),
      ),
    )
    .returning({ id: passkeys.id });
  if (raised.length === 0) return { ok: false, reason: "replayed_counter" };
  return { ok: true, personId: key.personId, passkeyId: key.id };
}

export type PasskeySignIn =
  | { ok: true; personId: string }
  | {
      ok: false;
      reason: "passkeys_off" | "locked" | "invalid_passkey" | "inactive" | "sso_required";
      retryInMinutes?: number;
    };

/** Passwordless sign-in with a passkey, where the organisation allows it (PASSKEY_SIGN_IN). */
export async function signInWithPasskey(input: {
  response: AuthenticationResponseJSON;
  browserSecret: string;
  ip: string;
  userAgent: string | null;
  now?: Date;
}): Promise<PasskeySignIn> {
  if (!env().PASSKEY_SIGN_IN) return { ok: false, reason: "passkeys_off" };
  const db = await getDb();
  const now = input.now ?? new Date();
  const fromIp = ipLimit(input.ip);
  const taken = await takeAttempt(db, fromIp, now);
  if (!taken.ok) {
    metrics().signinFailures.inc({ method: "passkey", reason: "throttled" });
    return { ok: false, reason: "locked", retryInMinutes: minutesUntil(taken.retryAt, now) };
  }
  const context = { actorId: null, actorLabel: "anonymous", ip: input.ip, userAgent: input.userAgent };
  const check = await checkPasskeyAnswer(db, input.response, input.browserSecret, null, now);
  const [person] = check.ok
    ? await db
        .select({ id: people.id, email: people.email, status: people.status, roles: people.roles })
        .from(people)
        .where(eq(people.id, check.personId))
    : [];
  const ssoOnly = person?.status === "active" && (await ssoRequiredFor(db, person.roles));
  if (!check.ok || !person || person.status !== "active" || ssoOnly) {
    const reason = !check.ok ? check.reason : ssoOnly ? "sso_only_policy" : `account_${person?.status ?? "missing"}`;
    await db.transaction(async (tx) => {
      await tx
        .insert(loginAttempts)
        .values({ email: person?.email ?? "(passkey)", ip: input.ip, outcome: "failure", at: now });
      await recordAudit(
        tx,
        context,
        {
          action: "auth.sign_in_failed",
          ...(person ? { targetType: "person", targetId: person.id } : {}),
          data: { reason, method: "passkey" },
        },
        now,
      );
    });
    metrics().signinFailures.inc({ method: "passkey", reason });
    return { ok: false, reason: !check.ok ? "invalid_passkey" : ssoOnly ? "sso_required" : "inactive" };
  }
  await settleAttempt(db, fromIp, "release");
  await db.transaction(async (tx) => {
    await tx.insert(loginAttempts).values({ email: person.email, ip: input.ip, outcome: "success", at: now });
    await recordAudit(
      tx,
      { ...context, actorId: person.id, actorLabel: person.email },
      {
        action: "auth.signed_in",
        targetType: "person",
        targetId: person.id,
        data: { method: "passkey", phishingResistant: true },
      },
      now,
    );
  });
  return { ok: true, personId: person.id };
}
