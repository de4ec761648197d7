import { and, eq, isNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { assignments, auditEvents, digestItems, outbox, people } from "@/db/schema";
import { requestPasswordReset } from "@/lib/auth/password-reset";
import { getCourse } from "@/lib/content";
import { setMyEmailCadence, setOrganisationCadence } from "@/lib/notify/cadence";
import { sendDueDigests } from "@/lib/notify/digests";
import { openAttachments } from "@/lib/notify/queue-email";
import { queueReminders } from "@/lib/scheduler/reminders";
import { syncAssignments } from "@/lib/training/assignments";

import { context, createPerson, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
// A Wednesday, after the day's digest hour (07:00 UTC).
const t0 = new Date("2026-12-09T10:00:00Z");
const thursday = new Date("2026-12-10T07:05:00Z");
const monday = new Date("2026-12-14T07:05:00Z");

async function personWith(choice: "each" | "daily" | "weekly" | null, name = "Dana Digest") {
  const db = database.db();
  const person = await createPerson(db, { name });
  await db.update(people).set({ reminderDigest: choice }).where(eq(people.id, person.id));
  await syncAssignments(db, { personIds: [person.id], now: t0 });
  return person;
}

const mailTo = (personId: string) =>
  database
    .db()
    .select({
      id: outbox.id,
      kind: outbox.kind,
      key: outbox.dedupeKey,
      text: outbox.text,
      covers: outbox.covers,
      attachmentsEnc: outbox.attachmentsEnc,
    })
    .from(outbox)
    .where(eq(outbox.personId, personId));

const itemsOf = (personId: string) =>
  database
    .db()
    .select({ key: digestItems.key, digestKey: digestItems.digestKey, droppedAt: digestItems.droppedAt })
    .from(digestItems)
    .where(eq(digestItems.personId, personId));

const openAssignmentsOf = (personId: string) =>
  database
    .db()
    .select({ id: assignments.id, courseId: assignments.courseId })
    .from(assignments)
    .where(and(eq(assignments.personId, personId), isNull(assignments.completedAt)));

describe("mail that is raised together", () => {
  it("goes out as one message per person, listing every course and agreement, once", async () => {
    const db = database.db();
    const person = await personWith("each");
    const open = await openAssignmentsOf(person.id);
    expect(open.length).toBeGreaterThanOrEqual(3);
    await queueReminders(db, t0);
    await queueReminders(db, t0);
    const mail = await mailTo(person.id);
    expect(mail).toHaveLength(1);
    expect(mail[0].kind).toBe("reminder-digest");
    expect(mail[0].covers!.filter((k) => k.startsWith("course-assigned:"))).toHaveLength(open.length);
    expect(mail[0].covers!.some((k) => k.startsWith(`agreement-to-sign:${person.id}:`))).toBe(true);
    for (const a of open) expect(mail[0].text).toContain(getCourse(a.courseId)!.title);
  });
});

describe("digests", () => {
  it("holds routine mail and sends one daily digest after the digest hour, exactly once with two workers", async () => {
    const db = database.db();
    const person = await personWith("daily");
    const counts = await queueReminders(db, t0);
    expect(counts.held).toBeGreaterThanOrEqual(4);
    expect(await mailTo(person.id)).toHaveLength(0);
    const held = await itemsOf(person.id);
    expect(held.length).toBeGreaterThanOrEqual(4);

    // Recorded after today's digest hour: they wait for tomorrow's.
    await sendDueDigests(db, new Date(t0.getTime() + 60_000));
    expect(await mailTo(person.id)).toHaveLength(0);

    const runs = await Promise.all([sendDueDigests(db, thursday), sendDueDigests(db, thursday)]);
    expect(runs.reduce((n, r) => n + r.items, 0)).toBeGreaterThanOrEqual(held.length);
    const mail = await mailTo(person.id);
    expect(mail).toHaveLength(1);
    expect(mail[0].key).toBe(`reminder-digest:${person.id}:2026-12-10`);
    expect(mail[0].text).toContain("Your daily digest");
    const after = await itemsOf(person.id);
    expect(after.every((i) => i.digestKey === mail[0].key && i.droppedAt === null)).toBe(true);
    // The due dates ahead come as a calendar file.
    const [ics] = openAttachments(mail[0].key, mail[0].attachmentsEnc!);
    expect(ics.filename).toBe("due-dates.ics");
    expect(ics.content.toString("utf8")).toMatch(/^BEGIN:VCALENDAR\r\n/);

    // Later that day and the next runs: nothing new, nothing twice.
    await queueReminders(db, new Date(thursday.getTime() + 3_600_000));
    await sendDueDigests(db, new Date(thursday.getTime() + 3_600_000));
    expect(await mailTo(person.id)).toHaveLength(1);
  });

  it("drops an item whose reason went away before the digest", async () => {
    const db = database.db();
    const person = await personWith("daily", "Carl Completes");
    await queueReminders(db, t0);
    const [done, ...rest] = await openAssignmentsOf(person.id);
    await db
      .update(assignments)
      .set({ completedAt: new Date(t0.getTime() + 3_600_000) })
      .where(eq(assignments.id, done.id));
    const run = await sendDueDigests(db, thursday);
    expect(run.dropped).toBeGreaterThanOrEqual(1);
    const [mail] = await mailTo(person.id);
    expect(mail.text).not.toContain(getCourse(done.courseId)!.title);
    for (const a of rest) expect(mail.text).toContain(getCourse(a.courseId)!.title);
    const dropped = (await itemsOf(person.id)).filter((i) => i.droppedAt);
    expect(dropped.map((i) => i.key)).toContain(`course-assigned:${done.id}`);
  });

  it("follows the organisation's default unless the person chose otherwise; weekly waits for Monday", async () => {
    const db = database.db();
    const admin = viewerOf(await createPerson(db, { name: "Ada Admin", roles: ["compliance_admin"] }));
    await setOrganisationCadence(admin, context(admin.id), "daily", t0);
    try {
      const follows = await personWith(null, "Olga Org-default");
      const weekly = await personWith("daily", "Walt Weekly");
      await setMyEmailCadence(viewerOf(weekly), context(weekly.id), "weekly", t0);
      await queueReminders(db, t0);
      expect(await mailTo(follows.id)).toHaveLength(0);
      expect(await mailTo(weekly.id)).toHaveLength(0);

      await sendDueDigests(db, thursday);
      expect(await mailTo(follows.id)).toHaveLength(1);
      expect(await mailTo(weekly.id)).toHaveLength(0);

      await sendDueDigests(db, monday);
      const [mail] = await mailTo(weekly.id);
      expect(mail.key).toBe(`reminder-digest:${weekly.id}:week-2026-12-14`);
      expect(mail.text).toContain("Your weekly digest");
      const audited = await db
        .select({ data: auditEvents.data })
        .from(auditEvents)
        .where(eq(auditEvents.action, "organisation.email_cadence_changed"));
      expect(audited.map((a) => a.data)).toContainEqual({ from: "each", to: "daily" });
    } finally {
      await setOrganisationCadence(admin, context(admin.id), "each", t0);
    }
  });

  it("sends what is held at once when the person switches back to immediate", async () => {
    const db = database.db();
    const person = await personWith("weekly", "Ivy Immediate");
    await queueReminders(db, t0);
    await setMyEmailCadence(viewerOf(person), context(person.id), null, t0);
    await sendDueDigests(db, new Date(t0.getTime() + 60_000));
    const mail = await mailTo(person.id);
    expect(mail).toHaveLength(1);
    expect(mail[0].text).toContain("What needs your attention");
  });

  it("drops the digest of someone who left, and never holds back a password reset", async () => {
    const db = database.db();
    const leaver = await personWith("daily", "Lea Leaver");
    await queueReminders(db, t0);
    await db.update(people).set({ status: "departed" }).where(eq(people.id, leaver.id));
    await sendDueDigests(db, thursday);
    expect(await mailTo(leaver.id)).toHaveLength(0);
    expect((await itemsOf(leaver.id)).every((i) => i.droppedAt !== null)).toBe(true);

    const digestReader = await personWith("weekly", "Rita Reset");
    await requestPasswordReset(digestReader.email, { ip: "203.0.113.9", userAgent: "test" }, t0);
    const mail = await mailTo(digestReader.id);
    expect(mail.map((m) => m.kind)).toEqual(["password-reset"]);
  });
});
