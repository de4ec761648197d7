import "server-only";

import { and, count, eq, isNull } from "drizzle-orm";
import QRCode from "qrcode";

import { getDb } from "@/db/client";
import { passkeys, people, recoveryCodes } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import { decryptText, encryptText } from "@/lib/crypto/encryption";
import { hmacSha256Hex } from "@/lib/crypto/hash";
import { newRecoveryCodes, normaliseRecoveryCode } from "@/lib/crypto/tokens";
import { matchTotp, newTotpSecret, otpauthUri } from "@/lib/crypto/totp";
import { env } from "@/lib/env";

import type { Viewer } from "./roles";

export function recoveryCodeHash(personId: string, code: string): string {
  return hmacSha256Hex(env().NEXTAUTH_SECRET, `${personId}:${normaliseRecoveryCode(code)}`);
}

const aad = (personId: string) => `mfa:${personId}`;

export type SecondFactors = { totp: boolean; passkeys: number };

/** Which second factors a person has: an authenticator app, passkeys, both or neither. */
export async function secondFactorsOf(personId: string): Promise<SecondFactors> {
  const db = await getDb();
  const [[person], [keys]] = await Promise.all([
    db
      .select({ enabledAt: people.mfaEnabledAt, secret: people.mfaSecretEnc })
      .from(people)
      .where(eq(people.id, personId)),
    db.select({ n: count() }).from(passkeys).where(eq(passkeys.personId, personId)),
  ]);
  return { totp: Boolean(person?.enabledAt && person.secret), passkeys: Number(keys?.n ?? 0) };
}

export type Enrolment = { secret: string; uri: string; qrSvg: string };

/** Starts (or restarts) enrolment: a new secret waits, encrypted, until a code confirms it. */
export async function startMfaEnrolment(viewer: Viewer): Promise<Enrolment> {
  const db = await getDb();
  const [row] = await db.select({ pending: people.mfaPendingSecretEnc }).from(people).where(eq(people.id, viewer.id));
  let secret = row?.pending ? decryptText(row.pending, aad(viewer.id)) : null;
  if (!secret) {
    secret = newTotpSecret();
    await db
      .update(people)
      .set({ mfaPendingSecretEnc: encryptText(secret, aad(viewer.id)) })
      .where(eq(people.id, viewer.id));
  }
  const uri = otpauthUri(secret, viewer.email, env().ORG_NAME);
  // Rendered here, on our server: the secret never goes to a QR service.
  const qrSvg = await QRCode.toString(uri, { type: "svg", margin: 1, errorCorrectionLevel: "M" });
  return { secret, uri, qrSvg };
}

export type ConfirmResult = { ok: true; recoveryCodes: string[] } | { ok: false; message: string };

export async function confirmMfaEnrolment(
  viewer: Viewer,
  code: string,
  context: AuditContext,
  now = new Date(),
): Promise<ConfirmResult> {
  const db = await getDb();
  const [row] = await db.select({ pending: people.mfaPendingSecretEnc }).from(people).where(eq(people.id, viewer.id));
  if (!row?.pending)
    return { ok: false, message: "Start enrolment again: no authenticator is waiting to be confirmed." };
  const secret = decryptText(row.pending, aad(viewer.id));
  const step = matchTotp(secret, code, now);
  if (step === null)
    return {
      ok: false,
      message: "That code is not right. Check the time on your phone and enter the current 6-digit code.",
    };
  const codes = newRecoveryCodes();
  await db.transaction(async (tx) => {
    await tx
      .update(people)
      .set({
        mfaSecretEnc: row.pending,
        mfaPendingSecretEnc: null,
        mfaEnabledAt: now,
        mfaLastStep: step,
        updatedAt: now,
      })
      .where(eq(people.id, viewer.id));
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.personId, viewer.id));
    await tx
      .insert(recoveryCodes)
      .values(codes.map((c) => ({ personId: viewer.id, codeHash: recoveryCodeHash(viewer.id, c) })));
    await recordAudit(
      tx,
      context,
      { action: "mfa.enrolled", targetType: "person", targetId: viewer.id, data: { recoveryCodes: codes.length } },
      now,
    );
  });
  return { ok: true, recoveryCodes: codes };
}

export async function remainingRecoveryCodes(personId: string): Promise<number> {
  const db = await getDb();
  const rows = await db
    .select({ id: recoveryCodes.id })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.personId, personId), isNull(recoveryCodes.usedAt)));
  return rows.length;
}
