import "server-only";

import { and, eq, isNull } from "drizzle-orm";

import { getDb } from "@/db/client";
import { certifications, people } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import type { Viewer } from "@/lib/auth/roles";
import { getCourse } from "@/lib/content";
import { decryptBytes, encryptBytes } from "@/lib/crypto/encryption";
import { sha256Hex } from "@/lib/crypto/hash";
import { env } from "@/lib/env";
import { DomainError, NotFoundError } from "@/lib/errors";
import { formatDate, isoDate } from "@/lib/format";
import { renderCertificatePdf } from "@/lib/pdf/render-certificate";
import { sealPdf } from "@/lib/pdf/seal";
import { canSeeRecordsOf } from "@/lib/people/reporting-line";

/** Where the certificate's QR code and printed link lead: the public check of its code. */
export function certificateVerifyUrl(code: string): string {
  return `${env().APP_URL.replace(/\/$/, "")}/verify?code=${encodeURIComponent(code)}`;
}

/**
 * A completion certificate for its holder, their managers, compliance and
 * auditors; anyone else gets "not found". The first download renders and
 * seals it (with a time-stamp when TSA_URL is set) and stores the file with
 * its SHA-256; every later download is that same file, so any copy can be
 * recognised at /verify. A seal that fails (TimestampError) stores nothing.
 */
export async function certificatePdf(
  viewer: Viewer,
  context: AuditContext,
  certificationId: string,
): Promise<{ filename: string; bytes: Uint8Array }> {
  const db = await getDb();
  const [row] = await db
    .select({
      id: certifications.id,
      personId: certifications.personId,
      name: people.name,
      courseId: certifications.courseId,
      courseVersion: certifications.courseVersion,
      issuedAt: certifications.issuedAt,
      expiresAt: certifications.expiresAt,
      code: certifications.verificationCode,
      pdfEnc: certifications.pdfEnc,
      annulledAt: certifications.annulledAt,
    })
    .from(certifications)
    .innerJoin(people, eq(people.id, certifications.personId))
    .where(eq(certifications.id, certificationId));
  if (!row || !(await canSeeRecordsOf(db, viewer, row.personId)))
    throw new NotFoundError("That certificate does not exist.");
  // A file made before the annulment stays what it was (it verifies as annulled); none is made after.
  if (row.annulledAt && !row.pdfEnc)
    throw new DomainError(
      "certification_annulled",
      `This certification was annulled on ${formatDate(row.annulledAt)}: no certificate is issued for it.`,
      409,
    );

  const bytes = row.pdfEnc ? decryptBytes(row.pdfEnc, `certificate:${row.id}`) : await sealOnce(row);
  await recordAudit(db, context, {
    action: "certificate.downloaded",
    targetType: "certification",
    targetId: row.id,
    data: { holder: row.personId },
  });
  return { filename: `certificate-${row.courseId}-${isoDate(row.issuedAt)}.pdf`, bytes };
}

type Unsealed = {
  id: string;
  name: string;
  courseId: string;
  courseVersion: string;
  issuedAt: Date;
  expiresAt: Date;
  code: string;
};

// First downloads of one certificate on this instance share one seal; across instances the
// conditional update below keeps the first file stored, and every download gets that one.
const sealing = new Map<string, Promise<Buffer>>();

function sealOnce(row: Unsealed): Promise<Buffer> {
  let pending = sealing.get(row.id);
  if (!pending) {
    pending = sealAndStore(row).finally(() => sealing.delete(row.id));
    sealing.set(row.id, pending);
  }
  return pending;
}

async function sealAndStore(row: Unsealed): Promise<Buffer> {
  const db = await getDb();
  const associated = `certificate:${row.id}`;
  const courseTitle = getCourse(row.courseId)?.title ?? row.courseId;
  const unsealed = await renderCertificatePdf({
    personName: row.name,
    courseTitle,
    courseVersion: row.courseVersion,
    organisation: env().ORG_NAME,
    issuedAt: row.issuedAt,
    expiresAt: row.expiresAt,
    verificationCode: row.code,
    verifyUrl: certificateVerifyUrl(row.code),
  });
  const sealed = await sealPdf(unsealed, { reason: `Certificate of completion: ${courseTitle} v${row.courseVersion}` });
  const [stored] = await db
    .update(certifications)
    .set({ pdfEnc: encryptBytes(sealed, associated), pdfSha256: sha256Hex(sealed) })
    .where(and(eq(certifications.id, row.id), isNull(certifications.pdfEnc)))
    .returning({ id: certifications.id });
  if (stored) return sealed;
  const [winner] = await db
    .select({ pdfEnc: certifications.pdfEnc })
    .from(certifications)
    .where(eq(certifications.id, row.id));
  return decryptBytes(winner.pdfEnc!, associated);
}
