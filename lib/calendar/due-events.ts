import "server-only";

import { and, asc, eq, isNull } from "drizzle-orm";

import { getDb } from "@/db/client";
import { assignments } from "@/db/schema";
import { myAgreements } from "@/lib/agreements/employee-agreements";
import type { Viewer } from "@/lib/auth/roles";
import { getAgreementTemplate, getCourse } from "@/lib/content";
import { sha256Hex } from "@/lib/crypto/hash";
import { env } from "@/lib/env";

import { calendarFile, type DueEvent } from "./ics";

const base = () => env().APP_URL.replace(/\/+$/, "");
/** Stable per person and item (`course-<id>`, `agreement-<id>`), without the person's id in the file. */
export const dueEventUid = (personId: string, item: string) =>
  `${item}-${sha256Hex(`calendar:${personId}`).slice(0, 20)}@${new URL(env().APP_URL).hostname}`;
const uid = (viewer: Viewer, item: string) => dueEventUid(viewer.id, item);

/** Calendar events for the listed items still ahead (a course or agreement with a date after `now`). */
export function dueEventsOf(
  personId: string,
  items: { title: string; kind: string; date: Date | null; path: string }[],
  now: Date,
): DueEvent[] {
  const events = new Map<string, DueEvent>();
  for (const item of items) {
    const match = /^\/(courses|agreements)\/([^/]+)$/.exec(item.path);
    if (!match || !item.date || item.date <= now || item.kind === "certification") continue;
    const what = `${match[1] === "courses" ? "course" : "agreement"}-${match[2]}`;
    events.set(what, {
      uid: dueEventUid(personId, what),
      date: item.date,
      summary: `${match[1] === "courses" ? "Due" : "Renew"}: ${item.title}`,
      url: `${base()}${item.path}`,
    });
  }
  return [...events.values()];
}

/**
 * The due dates ahead in a message's list, as one calendar file to attach
 * (`due-dates.ics`, for any calendar app); undefined when nothing is ahead.
 */
export function dueDatesAttachment(
  personId: string,
  items: Parameters<typeof dueEventsOf>[1],
  now: Date,
): { filename: string; contentType: string; content: Uint8Array } | undefined {
  const events = dueEventsOf(personId, items, now);
  if (events.length === 0) return undefined;
  return {
    filename: "due-dates.ics",
    contentType: "text/calendar; charset=utf-8",
    content: new TextEncoder().encode(calendarFile(events, now)),
  };
}

/** The viewer's open assignment of a course as a calendar event on its due date; null when nothing is due. */
export async function courseDueEvent(viewer: Viewer, courseId: string): Promise<DueEvent | null> {
  const course = getCourse(courseId);
  if (!course) return null;
  const db = await getDb();
  const [open] = await db
    .select({ dueAt: assignments.dueAt })
    .from(assignments)
    .where(
      and(
        eq(assignments.personId, viewer.id),
        eq(assignments.courseId, course.id),
        isNull(assignments.completedAt),
        isNull(assignments.cancelledAt),
      ),
    )
    .orderBy(asc(assignments.dueAt))
    .limit(1);
  if (!open) return null;
  return {
    uid: uid(viewer, `course-${course.id}`),
    date: open.dueAt,
    summary: `Due: ${course.title}`,
    description: `Complete the course “${course.title}” in Clearance (about ${course.estimatedMinutes} minutes).`,
    url: `${base()}/courses/${course.id}`,
  };
}

/** An agreement the viewer must renew, as a calendar event on its renewal date; null without one. */
export async function agreementDueEvent(
  viewer: Viewer,
  agreementId: string,
  now = new Date(),
): Promise<DueEvent | null> {
  const template = getAgreementTemplate(agreementId);
  if (!template || template.audience !== "employee") return null;
  const item = (await myAgreements(viewer, now)).find((i) => i.template.id === template.id);
  const date = item?.signed?.renewalDueAt;
  if (!item || !date || (item.standing !== "renewal_due" && item.standing !== "expiring")) return null;
  return {
    uid: uid(viewer, `agreement-${template.id}`),
    date,
    summary: `Renew: ${template.title}`,
    description: `Sign “${template.title}” again in Clearance.`,
    url: `${base()}/agreements/${template.id}`,
  };
}
