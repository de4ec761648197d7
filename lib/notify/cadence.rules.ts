import type { EmailCadence } from "@/db/schema";
import { isoDate } from "@/lib/format";
import { DAY, HOUR } from "@/lib/time";

/**
 * The hour of the day (UTC) when daily and weekly digests go out. The
 * organisation has no time zone of its own, so digests follow UTC: 07:00 UTC
 * is early morning in Europe and before the working day in the Americas.
 */
export const DIGEST_HOUR_UTC = 7;

/** Notifications a person may receive as a digest. Everything else (sign-in, signing codes, access) is always sent at once. */
export const ROUTINE_KINDS = [
  "course-assigned",
  "course-due-soon",
  "course-overdue",
  "certification-expiring",
  "agreement-to-sign",
  "escalation",
] as const;
export type RoutineKind = (typeof ROUTINE_KINDS)[number];

export function isRoutineKind(kind: string): kind is RoutineKind {
  return (ROUTINE_KINDS as readonly string[]).includes(kind);
}

/** The person's choice if they made one, else the organisation's default. */
export function effectiveCadence(personChoice: EmailCadence | null, organisationDefault: EmailCadence): EmailCadence {
  return personChoice ?? organisationDefault;
}

export const cadenceLabels: Record<EmailCadence, string> = {
  each: "Immediately (what is raised together comes as one email)",
  daily: "A daily digest, around 07:00 UTC",
  weekly: "A weekly digest, Mondays around 07:00 UTC",
};

/** The cadence inside a sentence: "(now: a daily digest)". */
export const cadenceInWords: Record<EmailCadence, string> = {
  each: "immediately",
  daily: "a daily digest",
  weekly: "a weekly digest",
};

/** Shown next to every cadence choice. */
export const ALWAYS_IMMEDIATE_NOTE =
  "Security messages are always sent at once and never gathered into a digest: password resets and set-password links, sign-in and two-factor notices, partner signing codes, and access decisions and lapses.";

/**
 * The digest period open at `now` and when it began. A daily digest period
 * starts at DIGEST_HOUR_UTC each day, a weekly one at DIGEST_HOUR_UTC on
 * Monday. A digest carries the items recorded before its period began, so
 * one that arrives on a Wednesday waits for next Monday's. An "each" cadence
 * has a period per moment: what is pending goes out at once.
 */
export function digestPeriod(cadence: EmailCadence, now: Date): { period: string; startsAt: Date } {
  if (cadence === "each") return { period: `now-${now.toISOString()}`, startsAt: now };
  // Shifted by the send hour, the period's date is the day (or Monday) it began.
  const shifted = new Date(now.getTime() - DIGEST_HOUR_UTC * HOUR);
  const dayStart = Date.UTC(shifted.getUTCFullYear(), shifted.getUTCMonth(), shifted.getUTCDate());
  const start = cadence === "daily" ? dayStart : dayStart - ((shifted.getUTCDay() + 6) % 7) * DAY;
  const day = isoDate(new Date(start));
  return {
    period: cadence === "daily" ? day : `week-${day}`,
    startsAt: new Date(start + DIGEST_HOUR_UTC * HOUR),
  };
}
