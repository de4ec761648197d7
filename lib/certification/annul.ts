import "server-only";

import { and, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";

import { getDb } from "@/db/client";
import { certifications, people } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import { assertMay } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { certificationHistory } from "@/lib/certification/records";
import { getCourse } from "@/lib/content";
import { DomainError, FieldError, NotFoundError } from "@/lib/errors";
import { isUuid } from "@/lib/ids";
import { queueEmail } from "@/lib/notify/queue-email";

export const annulRequestSchema = z.object({
  certificationId: z.string(),
  reason: z
    .string()
    .trim()
    .min(10, "Say why in at least 10 characters: the holder and auditors read it.")
    .max(500, "Use at most 500 characters."),
});
export type AnnulRequest = z.input<typeof annulRequestSchema>;

/**
 * Annuls a certification (a result obtained improperly, or issued in error).
 * One statement decides: the certification ends now — its expiry becomes
 * this moment, so access decisions, reports, reminders and the evidence pack
 * stop counting it without a rule of their own — and the expiry it was issued
 * with is kept beside the reason. A second annulment of the same
 * certification, however many arrive at once, is refused. The holder is told
 * by email and must take the course again; `/verify` answers "annulled".
 */
export async function annulCertification(
  viewer: Viewer,
  audit: AuditContext,
  input: AnnulRequest,
  now = new Date(),
): Promise<{ holder: string; courseTitle: string }> {
  assertMay(viewer, "administer", "Only compliance admins can annul a certification.");
  const parsed = annulRequestSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FieldError(String(issue.path[0] ?? "reason"), "invalid_request", issue.message);
  }
  const { certificationId, reason } = parsed.data;
  if (!isUuid(certificationId)) throw new NotFoundError("No such certification.");
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(certifications)
      .set({
        annulledAt: now,
        annulledBy: viewer.id,
        annulReason: reason,
        issuedExpiresAt: sql`${certifications.expiresAt}`,
        expiresAt: sql`least(${certifications.expiresAt}, ${now.toISOString()}::timestamptz)`,
      })
      .where(and(eq(certifications.id, certificationId), isNull(certifications.annulledAt)))
      .returning({
        id: certifications.id,
        personId: certifications.personId,
        courseId: certifications.courseId,
        courseVersion: certifications.courseVersion,
        issuedAt: certifications.issuedAt,
        issuedExpiresAt: certifications.issuedExpiresAt,
      });
    if (!row) {
      const [existing] = await tx
        .select({ id: certifications.id })
        .from(certifications)
        .where(eq(certifications.id, certificationId));
      if (!existing) throw new NotFoundError("No such certification.");
      throw new DomainError("already_annulled", "This certification was already annulled.", 409);
    }
    const [holder] = await tx
      .select({ name: people.name, email: people.email })
      .from(people)
      .where(eq(people.id, row.personId));
    const courseTitle = getCourse(row.courseId)?.title ?? row.courseId;
    await recordAudit(tx, audit, {
      action: "certification.annulled",
      targetType: "certification",
      targetId: row.id,
      data: {
        personId: row.personId,
        courseId: row.courseId,
        courseVersion: row.courseVersion,
        issuedExpiresAt: row.issuedExpiresAt!.toISOString(),
        reason,
      },
    });
    await queueEmail(tx, {
      kind: "certification-annulled",
      props: {
        name: holder.name,
        courseTitle,
        coursePath: `/courses/${row.courseId}`,
        issuedAt: row.issuedAt,
        annulledAt: now,
        reason,
      },
      to: { email: holder.email, personId: row.personId },
      dedupeKey: `certification-annulled:${row.id}`,
      now,
    });
    return { holder: holder.name, courseTitle };
  });
}

export type AnnullableCertification = {
  id: string;
  courseTitle: string;
  courseVersion: string;
  issuedAt: Date;
  expiresAt: Date;
  annulledAt: Date | null;
  annulReason: string | null;
};

/** A person's certifications, newest first, for the page where a compliance admin may annul one. */
export async function certificationsToAnnul(viewer: Viewer, personId: string): Promise<AnnullableCertification[]> {
  assertMay(viewer, "oversee", "Only compliance admins and auditors can see this.");
  if (!isUuid(personId)) return [];
  const rows = await certificationHistory(await getDb(), personId);
  return rows.map((r) => ({
    id: r.id,
    courseTitle: getCourse(r.courseId)?.title ?? r.courseId,
    courseVersion: r.courseVersion,
    issuedAt: r.issuedAt,
    expiresAt: r.expiresAt,
    annulledAt: r.annulledAt,
    annulReason: r.annulReason,
  }));
}
