import "server-only";

import { eq, type SQL } from "drizzle-orm";

import { getDb } from "@/db/client";
import { certifications, people } from "@/db/schema";
import { certificationStatus, type CertificationStatus } from "@/lib/certification/status.rules";
import { getCourse } from "@/lib/content";

import { currentReleases } from "./course-releases";

export type PublicVerification =
  | { found: false }
  | {
      found: true;
      status: CertificationStatus;
      /** The holder has left the organisation: the certificate records training they did, nothing now. */
      holderLeft: boolean;
      /** The organisation annulled it (obtained improperly, or issued in error); the reason is not told. */
      annulled: boolean;
      name: string;
      courseTitle: string;
      courseVersion: string;
      issuedAt: Date;
      expiresAt: Date;
    };

export const STATUS_LABELS: Record<CertificationStatus, string> = {
  current: "Valid",
  expiring: "Valid (expires soon)",
  expired: "Expired",
  superseded: "Superseded by a newer course version",
};

export function normaliseVerificationCode(input: string): string | null {
  const clean = input.toUpperCase().replace(/[^A-Z0-9]/g, "");
  return clean.length === 12 ? `${clean.slice(0, 4)}-${clean.slice(4, 8)}-${clean.slice(8)}` : null;
}

/** What anyone holding a code may learn: the name, the course and the dates — nothing more about the person. */
export async function verifyCertificateCode(input: string, now = new Date()): Promise<PublicVerification> {
  const code = normaliseVerificationCode(input);
  if (!code) return { found: false };
  return publicCertification(eq(certifications.verificationCode, code), now);
}

/**
 * The certification whose sealed PDF has this SHA-256, told as its code is:
 * what the file itself shows (name, course, dates) and its standing now.
 */
export async function verifySealedCertificate(pdfSha256: string, now = new Date()): Promise<PublicVerification> {
  return publicCertification(eq(certifications.pdfSha256, pdfSha256), now);
}

async function publicCertification(where: SQL, now: Date): Promise<PublicVerification> {
  const db = await getDb();
  const [row] = await db
    .select({
      name: people.name,
      personStatus: people.status,
      annulledAt: certifications.annulledAt,
      issuedExpiresAt: certifications.issuedExpiresAt,
      courseId: certifications.courseId,
      courseVersion: certifications.courseVersion,
      issuedAt: certifications.issuedAt,
      expiresAt: certifications.expiresAt,
    })
    .from(certifications)
    .innerJoin(people, eq(people.id, certifications.personId))
    .where(where);
  if (!row) return { found: false };
  const course = getCourse(row.courseId);
  const releases = await currentReleases(db);
  const status = course
    ? certificationStatus({
        certification: row,
        course,
        currentMajorReleasedAt: releases.get(row.courseId) ?? null,
        now,
      })
    : "expired";
  return {
    found: true,
    status,
    holderLeft: row.personStatus === "departed",
    annulled: row.annulledAt !== null,
    name: row.name,
    courseTitle: course?.title ?? row.courseId,
    courseVersion: row.courseVersion,
    issuedAt: row.issuedAt,
    // What the certificate itself shows: an annulment tells its state, not when or why.
    expiresAt: row.issuedExpiresAt ?? row.expiresAt,
  };
}

/** The standing a verifier is shown: an annulment outranks a holder who left, who outranks the course's own status. */
export function standingLabel(found: Extract<PublicVerification, { found: true }>): string {
  if (found.annulled) return "Annulled by the organisation";
  return found.holderLeft ? "Holder has left the organisation" : STATUS_LABELS[found.status];
}

/** One line for the API and the upload form. */
export function describeCertification(found: Extract<PublicVerification, { found: true }>, issuedOn: string): string {
  return `Authentic: certificate of completion of ${found.courseTitle} v${found.courseVersion} issued to ${found.name} on ${issuedOn} (${standingLabel(found).toLowerCase()})`;
}
