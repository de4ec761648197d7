import "server-only";

import { eq } from "drizzle-orm";

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
      name: string;
      courseTitle: string;
      courseVersion: string;
      issuedAt: Date;
      expiresAt: Date;
    };

export function normaliseVerificationCode(input: string): string | null {
  const clean = input.toUpperCase().replace(/[^A-Z0-9]/g, "");
  return clean.length === 12 ? `${clean.slice(0, 4)}-${clean.slice(4, 8)}-${clean.slice(8)}` : null;
}

/** What anyone holding a code may learn: the name, the course and the dates — nothing more about the person. */
export async function verifyCertificateCode(input: string, now = new Date()): Promise<PublicVerification> {
  const code = normaliseVerificationCode(input);
  if (!code) return { found: false };
  const db = await getDb();
  const [row] = await db
    .select({
      name: people.name,
      courseId: certifications.courseId,
      courseVersion: certifications.courseVersion,
      issuedAt: certifications.issuedAt,
      expiresAt: certifications.expiresAt,
    })
    .from(certifications)
    .innerJoin(people, eq(people.id, certifications.personId))
    .where(eq(certifications.verificationCode, code));
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
    name: row.name,
    courseTitle: course?.title ?? row.courseId,
    courseVersion: row.courseVersion,
    issuedAt: row.issuedAt,
    expiresAt: row.expiresAt,
  };
}
