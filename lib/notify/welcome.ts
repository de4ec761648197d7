import "server-only";

import { and, isNull } from "drizzle-orm";

import { writeInChunks } from "@/db/chunks";
import type { Executor } from "@/db/client";
import { inIds } from "@/db/id-list";
import { assignments, outbox } from "@/db/schema";
import type { NudgeItem } from "@/emails/nudge";
import type { WelcomeProps } from "@/emails/welcome";
import { agreementsForMany } from "@/lib/agreements/employee-agreements";
import { dueDatesAttachment } from "@/lib/calendar/due-events";
import { majorOf } from "@/lib/certification/status.rules";
import { getAgreementTemplate, getCourse } from "@/lib/content";
import { decryptText, encryptText } from "@/lib/crypto/encryption";
import { createInvitationLinks } from "@/lib/people/invitations";
import { DUE_SOON_DAYS } from "@/lib/scheduler/reminders";
import { DAY } from "@/lib/time";

import type { EmailAttachment } from "./queue-email";
import { emailTemplates, renderEmail, type RenderedEmail } from "./templates";

/**
 * What a welcome message stores: ids and dates, not rendered HTML. Titles are
 * looked up and the email rendered when it is sent (or read in the outbox), so
 * queuing a whole organisation's welcomes is a few multi-row inserts.
 */
export type WelcomePayload = {
  name: string;
  setPasswordPath: string;
  expiresAt: string;
  invitedByName: string | null;
  /** [courseId, due date ISO] of each open assignment. */
  courses: [string, string][];
  /** Agreement template ids to sign. */
  agreements: string[];
};

export type NewPerson = { id: string; email: string; name: string; departmentId: string | null; roles: string[] };

// Bound to its row's dedupe key, so a payload copied onto another row fails to open.
const payloadContext = (dedupeKey: string) => `outbox-payload:${dedupeKey}`;

/**
 * One welcome per new person, in the caller's transaction: a single-use
 * set-password link (only its hash stored) and everything due — their open
 * assignments and the agreements they must sign. The message `covers` the
 * reminders it replaces ("new training assigned", "please sign", and the
 * due-soon or overdue notice when it is already that late), so the scheduler
 * does not send them apart. Returns how many were queued.
 */
export async function queueWelcomes(
  tx: Executor,
  persons: NewPerson[],
  invitedByName: string | null,
  now: Date,
  onChunk?: (done: number) => Promise<void> | void,
): Promise<number> {
  if (persons.length === 0) return 0;
  const { expiresAt, links } = await createInvitationLinks(tx, persons, now);
  const open = await tx
    .select({
      id: assignments.id,
      personId: assignments.personId,
      courseId: assignments.courseId,
      dueAt: assignments.dueAt,
    })
    .from(assignments)
    .where(
      and(
        inIds(
          assignments.personId,
          persons.map((p) => p.id),
        ),
        isNull(assignments.completedAt),
        isNull(assignments.cancelledAt),
      ),
    );
  const openByPerson = new Map<string, typeof open>();
  for (const a of open) {
    const list = openByPerson.get(a.personId);
    if (list) list.push(a);
    else openByPerson.set(a.personId, [a]);
  }
  const agreements = await agreementsForMany(tx, persons, now);
  const subject = emailTemplates.welcome.subject({} as WelcomeProps);

  const rows = links.map(({ person, token, tokenId }) => {
    const dedupeKey = `welcome:${person.id}:${tokenId}`;
    const mine = (openByPerson.get(person.id) ?? []).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
    const toSign = agreements.get(person.id)!.filter((i) => i.standing === "to_sign" || i.standing === "new_version");
    const covers: string[] = [];
    for (const a of mine) {
      covers.push(`course-assigned:${a.id}`);
      const left = a.dueAt.getTime() - now.getTime();
      if (left <= 0) covers.push(`course-overdue:${a.id}`);
      else if (left <= DUE_SOON_DAYS * DAY) covers.push(`course-due-soon:${a.id}`);
    }
    for (const i of toSign)
      covers.push(`agreement-to-sign:${person.id}:${i.template.id}:v${majorOf(i.template.version)}`);
    const payload: WelcomePayload = {
      name: person.name,
      setPasswordPath: `/set-password/${token}`,
      expiresAt: expiresAt.toISOString(),
      invitedByName,
      courses: mine.map((a) => [a.courseId, a.dueAt.toISOString()]),
      agreements: toSign.map((i) => i.template.id),
    };
    return {
      kind: "welcome",
      dedupeKey,
      personId: person.id,
      toEmail: person.email,
      subject,
      payloadEnc: encryptText(JSON.stringify(payload), payloadContext(dedupeKey)),
      covers,
      status: "queued" as const,
      nextAttemptAt: now,
      createdAt: now,
    };
  });
  let done = 0;
  // Ten values a row: chunked under the driver's bind-parameter limit.
  await writeInChunks(rows, 10, async (chunk) => {
    await tx.insert(outbox).values(chunk).onConflictDoNothing({ target: outbox.dedupeKey });
    done += chunk.length;
    await onChunk?.(done);
  });
  return rows.length;
}

/** The welcome's props from its payload, with the course and agreement titles as they are now. */
export function welcomeProps(payload: WelcomePayload): WelcomeProps {
  const items: NudgeItem[] = [];
  for (const [courseId, due] of payload.courses) {
    const course = getCourse(courseId);
    if (course)
      items.push({
        title: course.title,
        kind: "course",
        status: "due",
        date: new Date(due),
        path: `/courses/${courseId}`,
      });
  }
  for (const id of payload.agreements) {
    const template = getAgreementTemplate(id);
    if (template)
      items.push({ title: template.title, kind: "agreement", status: "due", date: null, path: `/agreements/${id}` });
  }
  return {
    name: payload.name,
    setPasswordPath: payload.setPasswordPath,
    expiresAt: new Date(payload.expiresAt),
    invitedByName: payload.invitedByName,
    items,
  };
}

/**
 * Renders a message queued as a payload (kind `welcome`), for sending or for
 * the outbox viewer, with the due dates still ahead as a calendar file.
 */
export async function renderPayload(
  row: { kind: string; dedupeKey: string; payloadEnc: string; personId: string | null },
  now = new Date(),
): Promise<RenderedEmail & { attachments?: EmailAttachment[] }> {
  if (row.kind !== "welcome") throw new Error(`No payload renderer for ${row.kind}.`);
  const payload = JSON.parse(decryptText(row.payloadEnc, payloadContext(row.dedupeKey))) as WelcomePayload;
  const props = welcomeProps(payload);
  const rendered = await renderEmail("welcome", props);
  const calendar = row.personId ? dueDatesAttachment(row.personId, props.items, now) : undefined;
  return calendar ? { ...rendered, attachments: [calendar] } : rendered;
}
