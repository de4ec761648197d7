import "server-only";

import { randomInt } from "node:crypto";

import { and, eq, isNull, lt, sql } from "drizzle-orm";
import { PDFDocument, rgb, StandardFonts } from "pdf-lib";

import { getDb, type Executor } from "@/db/client";
import { signingCeremonies } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import { hmacSha256Hex } from "@/lib/crypto/hash";
import { env } from "@/lib/env";
import { DomainError, FieldError } from "@/lib/errors";

/**
 * ESIGN §7001(c)(1)(C)(ii): consent is given in a way that shows the signer can open the records we
 * send them (PDFs). The consent step offers a small PDF holding a code made for this signing; typing
 * the code back gives the consent. The code is stored only as a keyed hash bound to the ceremony,
 * works once, and five wrong tries discard it (a fresh PDF gives a new one).
 */

const ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
export const CONSENT_CODE_LENGTH = 6;
const MAX_FAILURES = 5;

function newCode(): string {
  return Array.from({ length: CONSENT_CODE_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
}

/** Codes are typed by people: case, spaces and dashes don't matter. */
export function normaliseConsentCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, "");
}

const codeHash = (ceremonyId: string, code: string) =>
  hmacSha256Hex(env().NEXTAUTH_SECRET, `consent-check:${ceremonyId}:${normaliseConsentCode(code)}`);

/** A new code for an open ceremony that has no consent yet; any earlier code stops working. */
export async function issueConsentCode(ceremonyId: string): Promise<string> {
  const code = newCode();
  const db = await getDb();
  const [row] = await db
    .update(signingCeremonies)
    .set({ consentCodeHash: codeHash(ceremonyId, code), consentCodeFailures: 0 })
    .where(
      and(
        eq(signingCeremonies.id, ceremonyId),
        isNull(signingCeremonies.consentAt),
        isNull(signingCeremonies.completedAt),
      ),
    )
    .returning({ id: signingCeremonies.id });
  if (!row) throw new DomainError("consent_done", "Consent has already been given for this signing.");
  return code;
}

/** The one-page PDF that carries the code. */
export async function consentCheckPdf(code: string, agreementTitle: string): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle("Consent check");
  pdf.setCreator(env().ORG_NAME);
  const page = pdf.addPage([420, 260]);
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const ink = rgb(0.1, 0.12, 0.16);
  page.drawText("Consent check", { x: 32, y: 210, size: 18, font: bold, color: ink });
  page.drawText(`For: ${agreementTitle.slice(0, 70)}`, { x: 32, y: 186, size: 10, font: regular, color: ink });
  page.drawText("You opened this PDF, so you can open the signed copy too.", {
    x: 32,
    y: 160,
    size: 10,
    font: regular,
  });
  page.drawText("Type this code on the signing page:", { x: 32, y: 142, size: 10, font: regular });
  page.drawText(code, { x: 32, y: 100, size: 30, font: bold, color: ink });
  page.drawText("The code works once, for this signing only.", { x: 32, y: 64, size: 9, font: regular });
  return pdf.save();
}

type Ceremony = { id: string; consentAt: Date | null };

/**
 * Records consent when `code` is the ceremony's current code. One statement takes the code (of 30
 * parallel submissions one wins, and it is audited once); a wrong code counts a failure and is a field
 * error. Already consented: nothing happens.
 */
export async function consentWithCode(
  ceremony: Ceremony,
  code: string,
  context: AuditContext & { ip: string },
  auditData:
    | { agreementId: string; version: string; consentVersion: string }
    | { agreementId: string; partnerRequestId: string },
  now = new Date(),
): Promise<void> {
  if (ceremony.consentAt) return;
  const db = await getDb();
  const hash = codeHash(ceremony.id, code);
  const taken = await db.transaction(async (tx: Executor) => {
    const [row] = await tx
      .update(signingCeremonies)
      .set({
        consentAt: now,
        consentIp: context.ip,
        consentUserAgent: context.userAgent ?? null,
        consentCodeHash: null,
      })
      .where(
        and(
          eq(signingCeremonies.id, ceremony.id),
          isNull(signingCeremonies.consentAt),
          isNull(signingCeremonies.completedAt),
          eq(signingCeremonies.consentCodeHash, hash),
          lt(signingCeremonies.consentCodeFailures, MAX_FAILURES),
        ),
      )
      .returning({ id: signingCeremonies.id });
    if (!row) return false;
    await recordAudit(
      tx,
      context,
      { action: "agreement.consent_given", targetType: "signing", targetId: ceremony.id, data: auditData },
      now,
    );
    return true;
  });
  if (taken) return;

  const [after] = await db
    .update(signingCeremonies)
    .set({
      consentCodeFailures: sql`${signingCeremonies.consentCodeFailures} + 1`,
      consentCodeHash: sql`case when ${signingCeremonies.consentCodeFailures} + 1 >= ${MAX_FAILURES} then null else ${signingCeremonies.consentCodeHash} end`,
    })
    .where(and(eq(signingCeremonies.id, ceremony.id), isNull(signingCeremonies.consentAt)))
    .returning({ failures: signingCeremonies.consentCodeFailures, hash: signingCeremonies.consentCodeHash });
  // A parallel submission with the right code got there first.
  if (!after) return;
  throw new FieldError(
    "consentCode",
    "consent_code_wrong",
    after.hash
      ? "That is not the code in your consent-check PDF. Check it and try again."
      : "That code no longer works. Open the consent-check PDF again for a new code.",
  );
}
