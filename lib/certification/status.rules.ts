/** Certification rules: pure functions of the certification, the course and `now`. */

import { addDays, addMonths, DAY } from "@/lib/time";

export type CertificationStatus = "current" | "expiring" | "expired" | "superseded";

export const EXPIRY_WARNING_DAYS = 30;

export function majorOf(version: string): number {
  // The digits before the first dot; parseInt stops there without splitting the string, and this runs for every certification a report reads.
  return Number.parseInt(version, 10);
}

export function expiryFor(issuedAt: Date, validityMonths: number): Date {
  return addMonths(issuedAt, validityMonths);
}

export type StatusInput = {
  certification: { courseVersion: string; expiresAt: Date };
  course: { version: string; graceDays: number };
  /** When the course's current major version was first released here (null if unknown). */
  currentMajorReleasedAt: Date | null;
  now: Date;
  warningDays?: number;
};

export function certificationStatus({
  certification,
  course,
  currentMajorReleasedAt,
  now,
  warningDays = EXPIRY_WARNING_DAYS,
}: StatusInput): CertificationStatus {
  if (majorOf(certification.courseVersion) < majorOf(course.version) && currentMajorReleasedAt) {
    const graceEnds = currentMajorReleasedAt.getTime() + course.graceDays * DAY;
    if (now.getTime() >= graceEnds) return "superseded";
  }
  if (now.getTime() >= certification.expiresAt.getTime()) return "expired";
  if (now.getTime() >= certification.expiresAt.getTime() - warningDays * DAY) return "expiring";
  return "current";
}

/** When an older-major certification stops counting, if it is going to. */
export function supersededAt(
  certificationVersion: string,
  course: { version: string; graceDays: number },
  currentMajorReleasedAt: Date | null,
): Date | null {
  if (!currentMajorReleasedAt || majorOf(certificationVersion) >= majorOf(course.version)) return null;
  return addDays(currentMajorReleasedAt, course.graceDays);
}
