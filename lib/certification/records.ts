import "server-only";

import { randomBytes } from "node:crypto";

import { and, desc, eq, inArray } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { certifications } from "@/db/schema";
import { certificationStatus, type CertificationStatus } from "@/lib/certification/status.rules";
import type { Course } from "@/lib/content/load";

export type CertificationView = {
  id: string;
  courseId: string;
  courseVersion: string;
  issuedAt: Date;
  expiresAt: Date;
  verificationCode: string;
  status: CertificationStatus;
};

const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/** 12 characters from a 32-letter alphabet (60 bits): unguessable, easy to read aloud. */
export function newVerificationCode(): string {
  const bytes = randomBytes(12);
  const chars = Array.from(bytes, (b) => CODE_ALPHABET[b & 31]).join("");
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`;
}

/** The newest certification of each course for some people, with its status at `now`. */
export async function latestCertifications(
  db: Executor,
  personIds: string[],
  courses: Course[],
  releases: Map<string, Date>,
  now: Date,
): Promise<Map<string, CertificationView>> {
  if (personIds.length === 0) return new Map();
  const rows = await db
    .select({
      id: certifications.id,
      personId: certifications.personId,
      courseId: certifications.courseId,
      courseVersion: certifications.courseVersion,
      issuedAt: certifications.issuedAt,
      expiresAt: certifications.expiresAt,
      verificationCode: certifications.verificationCode,
    })
    .from(certifications)
    .where(inArray(certifications.personId, personIds))
    .orderBy(desc(certifications.issuedAt));
  const byCourse = new Map(courses.map((c) => [c.id, c]));
  const latest = new Map<string, CertificationView>();
  for (const row of rows) {
    const key = `${row.personId}:${row.courseId}`;
    const course = byCourse.get(row.courseId);
    if (latest.has(key) || !course) continue;
    const status = certificationStatus({
      certification: row,
      course,
      currentMajorReleasedAt: releases.get(row.courseId) ?? null,
      now,
    });
    latest.set(key, {
      id: row.id,
      courseId: row.courseId,
      courseVersion: row.courseVersion,
      issuedAt: row.issuedAt,
      expiresAt: row.expiresAt,
      verificationCode: row.verificationCode,
      status,
    });
  }
  return latest;
}

export async function certificationHistory(db: Executor, personId: string, courseId?: string) {
  return db
    .select({
      id: certifications.id,
      courseId: certifications.courseId,
      courseVersion: certifications.courseVersion,
      issuedAt: certifications.issuedAt,
      expiresAt: certifications.expiresAt,
      verificationCode: certifications.verificationCode,
      supersededAt: certifications.supersededAt,
      annulledAt: certifications.annulledAt,
      annulReason: certifications.annulReason,
    })
    .from(certifications)
    .where(and(eq(certifications.personId, personId), courseId ? eq(certifications.courseId, courseId) : undefined))
    .orderBy(desc(certifications.issuedAt));
}
