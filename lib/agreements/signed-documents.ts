import "server-only";

import { eq } from "drizzle-orm";

import { getDb } from "@/db/client";
import { signatures } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import { may } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { decryptBytes } from "@/lib/crypto/encryption";
import { NotFoundError } from "@/lib/errors";
import { isoDate } from "@/lib/format";
import { canSeeRecordsOf } from "@/lib/people/reporting-line";

/**
 * A sealed PDF for its signer, the signer's managers, compliance admins and
 * auditors (partners' documents: compliance and auditors only). Every download
 * is audited; anyone else is told it does not exist.
 */
export async function signedPdf(
  viewer: Viewer,
  context: AuditContext,
  signatureId: string,
): Promise<{ filename: string; bytes: Buffer }> {
  const db = await getDb();
  const [row] = await db
    .select({
      id: signatures.id,
      personId: signatures.personId,
      agreementId: signatures.agreementId,
      version: signatures.agreementVersion,
      signedAt: signatures.signedAt,
      pdfEnc: signatures.pdfEnc,
    })
    .from(signatures)
    .where(eq(signatures.id, signatureId));
  const allowed = row && (row.personId ? await canSeeRecordsOf(db, viewer, row.personId) : may(viewer, "oversee"));
  if (!row || !row.pdfEnc || !allowed) throw new NotFoundError("That document does not exist.");
  const bytes = decryptBytes(row.pdfEnc, `signature:${row.id}`);
  await recordAudit(db, context, {
    action: "agreement.downloaded",
    targetType: "signature",
    targetId: row.id,
    data: { signer: row.personId },
  });
  return { filename: `${row.agreementId}-v${row.version}-${isoDate(row.signedAt)}.pdf`, bytes };
}

export type SignatureRecord = {
  id: string;
  agreementId: string;
  title: string;
  version: string;
  outcome: "signed" | "declined";
  signedAt: Date;
  renewalDueAt: Date | null;
};

export async function signatureHistory(viewer: Viewer, personId: string): Promise<SignatureRecord[]> {
  const db = await getDb();
  if (!(await canSeeRecordsOf(db, viewer, personId))) throw new NotFoundError("That person does not exist.");
  return db
    .select({
      id: signatures.id,
      agreementId: signatures.agreementId,
      title: signatures.agreementTitle,
      version: signatures.agreementVersion,
      outcome: signatures.outcome,
      signedAt: signatures.signedAt,
      renewalDueAt: signatures.renewalDueAt,
    })
    .from(signatures)
    .where(eq(signatures.personId, personId))
    .orderBy(signatures.signedAt);
}
