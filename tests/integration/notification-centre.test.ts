import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { assignments, outbox } from "@/db/schema";
import { courseDueEvent } from "@/lib/calendar/due-events";
import { calendarFile } from "@/lib/calendar/ics";
import { NotFoundError } from "@/lib/errors";
import { myNotification, myNotifications, newNotificationCount } from "@/lib/notify/my-notifications";
import { queueEmail } from "@/lib/notify/queue-email";
import { syncAssignments } from "@/lib/training/assignments";

import { createPerson, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
const t0 = new Date("2026-12-09T10:00:00Z");
const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);

async function nudgeMail(person: { id: string; email: string; name: string }, n: number) {
  return queueEmail(database.db(), {
    kind: "nudge",
    props: {
      name: person.name,
      managerName: "Bea Boss",
      items: [{ title: `Course ${n}`, kind: "course", status: "due", date: t0, path: `/courses/c${n}` }],
    },
    to: { email: person.email, personId: person.id },
    dedupeKey: `test-nudge:${person.id}:${n}`,
    now: minutes(n),
  });
}

describe("notification centre", () => {
  it("lists my own emails newest first, a page at a time, and opens them as sent", async () => {
    const db = database.db();
    const me = await createPerson(db, { name: "Nina Notified" });
    const other = await createPerson(db, { name: "Otto Other" });
    for (let n = 1; n <= 30; n++) await nudgeMail(me, n);
    const theirs = await nudgeMail(other, 99);

    expect(await newNotificationCount(viewerOf(me), minutes(31))).toBe(30);
    const first = await myNotifications(viewerOf(me), { page: 1 }, minutes(31));
    expect(first.total).toBe(30);
    expect(first.rows).toHaveLength(first.pageSize);
    expect(first.rows[0].subject).toBe("Reminder from Bea Boss: Course 30");
    const createdAt = first.rows.map((r) => r.createdAt.getTime());
    expect([...createdAt].sort((a, b) => b - a)).toEqual(createdAt);
    const second = await myNotifications(viewerOf(me), { page: 2 }, minutes(31));
    expect(second.rows.map((r) => r.subject).at(-1)).toBe("Reminder from Bea Boss: Course 1");
    expect(second.rows.some((r) => first.rows.some((f) => f.id === r.id))).toBe(false);
    // Opening the list marks what is there as seen.
    expect(await newNotificationCount(viewerOf(me), minutes(32))).toBe(0);

    const message = await myNotification(viewerOf(me), first.rows[0].id);
    expect(message.text).toContain("Course 30");

    // Another person's message, a malformed id, a missing one: not found, nothing shown.
    for (const id of [theirs.id!, "not-a-uuid", "00000000-0000-4000-8000-000000000000"])
      await expect(myNotification(viewerOf(me), id)).rejects.toThrow(NotFoundError);
  });

  it("never shows again a body that carried a single-use link", async () => {
    const db = database.db();
    const me = await createPerson(db, { name: "Sid Secret" });
    const { id } = await queueEmail(db, {
      kind: "password-reset",
      props: { name: me.name, setPasswordPath: "/set-password/secret-token", expiresAt: minutes(30) },
      to: { email: me.email, personId: me.id },
      dedupeKey: `test-reset:${me.id}`,
      now: t0,
    });
    const message = await myNotification(viewerOf(me), id!);
    expect(message.withheld).toBe(true);
    expect(message.text).toBeNull();
    expect(message.html).toBeNull();
    expect(message.subject).toBeTruthy();
  });
});

describe("calendar files for due dates", () => {
  it("gives my open assignment's due date, and nothing for a course I have not got", async () => {
    const db = database.db();
    const me = await createPerson(db, { name: "Cal Endar" });
    await syncAssignments(db, { personIds: [me.id], now: t0 });
    const [open] = await db
      .select({ courseId: assignments.courseId, dueAt: assignments.dueAt })
      .from(assignments)
      .where(eq(assignments.personId, me.id));
    const event = await courseDueEvent(viewerOf(me), open.courseId);
    expect(event).toMatchObject({ date: open.dueAt });
    expect(event!.url).toMatch(new RegExp(`/courses/${open.courseId}$`));
    expect(event!.uid).not.toContain(me.id);
    // Stable: the same event whenever it is downloaded.
    expect((await courseDueEvent(viewerOf(me), open.courseId))!.uid).toBe(event!.uid);
    expect(calendarFile([event!], t0)).toContain("BEGIN:VEVENT");

    expect(await courseDueEvent(viewerOf(me), "no-such-course")).toBeNull();
    await db.update(assignments).set({ completedAt: t0 }).where(eq(assignments.personId, me.id));
    expect(await courseDueEvent(viewerOf(me), open.courseId)).toBeNull();
    expect(await db.select({ id: outbox.id }).from(outbox).where(eq(outbox.personId, me.id))).toHaveLength(0);
  });
});
