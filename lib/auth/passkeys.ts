import "server-only";

import {
  generateRegistrationOptions,
  verifyRegistrationResponse,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { and, asc, eq, sql } from "drizzle-orm";

import { getDb } from "@/db/client";
import { passkeys, people } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import { DomainError, NotFoundError } from "@/lib/errors";

import type { Viewer } from "./roles";
import { claimedChallenge, relyingParty, storeChallenge, takeChallenge } from "./webauthn";

export const MAX_PASSKEYS = 10;

export type PasskeyListing = { id: string; name: string; createdAt: Date; lastUsedAt: Date | null; backedUp: boolean };

export async function myPasskeys(viewer: Viewer): Promise<PasskeyListing[]> {
  const db = await getDb();
  return db
    .select({
      id: passkeys.id,
      name: passkeys.name,
      createdAt: passkeys.createdAt,
      lastUsedAt: passkeys.lastUsedAt,
      backedUp: passkeys.backedUp,
    })
    .from(passkeys)
    .where(eq(passkeys.personId, viewer.id))
    .orderBy(asc(passkeys.createdAt));
}

/** Options for navigator.credentials.create(), with a challenge bound to this session. */
export async function startPasskeyRegistration(viewer: Viewer, sessionId: string, now = new Date()) {
  const db = await getDb();
  const existing = await db
    .select({ credentialId: passkeys.credentialId, transports: passkeys.transports })
    .from(passkeys)
    .where(eq(passkeys.personId, viewer.id));
  if (existing.length >= MAX_PASSKEYS)
    throw new DomainError("too_many_passkeys", `You have ${MAX_PASSKEYS} passkeys. Remove one before adding another.`);
  const rp = relyingParty();
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: viewer.email,
    userDisplayName: viewer.name,
    userID: new TextEncoder().encode(viewer.id),
    attestationType: "none",
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
    // A passkey: kept on the authenticator, and unlocked by the person (PIN or biometrics).
    authenticatorSelection: { residentKey: "required", userVerification: "required" },
  });
  await storeChallenge(db, options.challenge, { purpose: "register", personId: viewer.id, sessionId }, now);
  return options;
}

/**
 * Verifies the authenticator's answer and stores the passkey. The challenge
 * is used up first, so an answer works once and only in the session that
 * asked. The first second factor turns MFA on: the caller replaces the
 * session, as after TOTP enrolment.
 */
export async function finishPasskeyRegistration(
  viewer: Viewer,
  sessionId: string,
  response: RegistrationResponseJSON,
  name: string,
  context: AuditContext,
  now = new Date(),
): Promise<{ firstFactor: boolean }> {
  const db = await getDb();
  const challenge = claimedChallenge(response.response?.clientDataJSON ?? "");
  if (
    !challenge ||
    !(await takeChallenge(db, challenge, { purpose: "register", personId: viewer.id, sessionId }, now))
  ) {
    throw new DomainError("challenge_invalid", "That passkey prompt has expired. Try adding the passkey again.");
  }
  const rp = relyingParty();
  let verification: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verification = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: true,
    });
  } catch {
    verification = { verified: false };
  }
  if (!verification.verified)
    throw new DomainError("passkey_invalid", "Your device's answer could not be verified. Try again.");
  const { credential, credentialBackedUp } = verification.registrationInfo;
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(passkeys)
      .values({
        personId: viewer.id,
        credentialId: credential.id,
        publicKey: Buffer.from(credential.publicKey).toString("base64url"),
        counter: credential.counter,
        transports: credential.transports ?? [],
        backedUp: credentialBackedUp,
        name,
        createdAt: now,
      })
      .onConflictDoNothing({ target: passkeys.credentialId })
      .returning({ id: passkeys.id });
    if (inserted.length === 0) throw new DomainError("passkey_exists", "This passkey is already registered.");
    const [turnedOn] = await tx
      .update(people)
      .set({ mfaEnabledAt: now, updatedAt: now })
      .where(and(eq(people.id, viewer.id), sql`${people.mfaEnabledAt} is null`))
      .returning({ id: people.id });
    await recordAudit(
      tx,
      context,
      {
        action: "mfa.passkey_added",
        targetType: "person",
        targetId: viewer.id,
        data: { passkey: inserted[0].id, name, backedUp: credentialBackedUp },
      },
      now,
    );
    return { firstFactor: Boolean(turnedOn) };
  });
}

export async function renamePasskey(
  viewer: Viewer,
  passkeyId: string,
  name: string,
  context: AuditContext,
  now = new Date(),
): Promise<void> {
  const db = await getDb();
  await db.transaction(async (tx) => {
    const renamed = await tx
      .update(passkeys)
      .set({ name })
      .where(and(eq(passkeys.id, passkeyId), eq(passkeys.personId, viewer.id)))
      .returning({ id: passkeys.id });
    if (renamed.length === 0) throw new NotFoundError("That passkey is not on your account.");
    await recordAudit(
      tx,
      context,
      { action: "mfa.passkey_renamed", targetType: "person", targetId: viewer.id, data: { passkey: passkeyId, name } },
      now,
    );
  });
}

/**
 * Removes one of the person's passkeys. People whose roles require MFA keep
 * at least one second factor; for others, removing the last one turns MFA
 * off (the caller replaces the session, whose stamp no longer holds).
 */
export async function removePasskey(
  viewer: Viewer,
  passkeyId: string,
  context: AuditContext,
  now = new Date(),
): Promise<{ mfaTurnedOff: boolean }> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    // The person's row is locked so two removals at once cannot both leave them without a factor.
    const [person] = await tx
      .select({ mfaSecretEnc: people.mfaSecretEnc })
      .from(people)
      .where(eq(people.id, viewer.id))
      .for("update");
    const removed = await tx
      .delete(passkeys)
      .where(and(eq(passkeys.id, passkeyId), eq(passkeys.personId, viewer.id)))
      .returning({ id: passkeys.id, name: passkeys.name });
    if (removed.length === 0) throw new NotFoundError("That passkey is not on your account.");
    const [{ left }] = await tx
      .select({ left: sql<number>`count(*)::int` })
      .from(passkeys)
      .where(eq(passkeys.personId, viewer.id));
    const lastFactor = left === 0 && !person?.mfaSecretEnc;
    if (lastFactor && viewer.mfaRequired)
      throw new DomainError(
        "last_factor",
        "Your role requires two-factor authentication. Add another passkey or an authenticator app before removing this one.",
      );
    if (lastFactor) await tx.update(people).set({ mfaEnabledAt: null, updatedAt: now }).where(eq(people.id, viewer.id));
    await recordAudit(
      tx,
      context,
      {
        action: "mfa.passkey_removed",
        targetType: "person",
        targetId: viewer.id,
        data: { passkey: passkeyId, name: removed[0].name, mfaTurnedOff: lastFactor },
      },
      now,
    );
    return { mfaTurnedOff: lastFactor };
  });
}
