import "server-only";

import { eq } from "drizzle-orm";

import { getDb } from "@/db/client";
import { certifications, people } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import type { Viewer } from "@/lib/auth/roles";
import { getCourse } from "@/lib/content";
import { env } from "@/lib/env";
import { NotFoundError } from "@/lib/errors";
import { isoDate } from "@/lib/format";
import { renderCertificatePdf } from "@/lib/pdf/render-certificate";
import { canSeeRecordsOf } from "@/lib/people/reporting-line";

/** A completion certificate for its holder, their managers, compliance and auditors; anyone else gets "not found". */
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
    })
    .from(certifications)
    .innerJoin(people, eq(people.id, certifications.personId))
    .where(eq(certifications.id, certificationId));
  if (!row || !(await canSeeRecordsOf(db, viewer, row.personId)))
    throw new NotFoundError("That certificate does not exist.");
  const { ORG_NAME, APP_URL } = env();
  const bytes = await renderCertificatePdf({
    personName: row.name,
    courseTitle: getCourse(row.courseId)?.title ?? row.courseId,
    courseVersion: row.courseVersion,
    organisation: ORG_NAME,
    issuedAt: row.issuedAt,
    expiresAt: row.expiresAt,
    verificationCode: row.code,
    verifyUrl: `${APP_URL.replace(/\/$/, "")}/verify`,
  });
  await recordAudit(db, context, {
    action: "certificate.downloaded",
    targetType: "certification",
    targetId: row.id,
    data: { holder: row.personId },
  });
  return { filename: `certificate-${row.courseId}-${isoDate(row.issuedAt)}.pdf`, bytes };
}
