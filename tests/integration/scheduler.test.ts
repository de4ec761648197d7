import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { assignments, outbox } from "@/db/schema";
import { queueReminders } from "@/lib/scheduler/reminders";
import { tick } from "@/lib/scheduler/tick";
import { DAY } from "@/lib/time";
import { syncAssignments } from "@/lib/training/assignments";

import { createPerson } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();

async function outboxKeys() {
  const rows = await database.db().select({ key: outbox.dedupeKey }).from(outbox);
  return rows.map((r) => r.key).sort();
}

/** Every notification raised: messages' own keys and the keys of those they list. */
async function raisedKeys() {
  const rows = await database.db().select({ key: outbox.dedupeKey, covers: outbox.covers }).from(outbox);
  return rows.flatMap((r) => [r.key, ...(r.covers ?? [])]).sort();
}

const messagesTo = async (personId: string) =>
  database.db().select({ kind: outbox.kind, covers: outbox.covers }).from(outbox).where(eq(outbox.personId, personId));

describe("scheduler tick", () => {
  it("assigns, reminds and escalates once however often it runs", async () => {
    const db = database.db();
    const manager = await createPerson(db, { roles: ["manager"], name: "Marta Manager" });
    const person = await createPerson(db, { managerId: manager.id, name: "Olaf Overdue" });
    const t0 = new Date();
    const first = await tick(t0);
    expect(first.errors).toEqual([]);
    const assigned = await db.select().from(assignments).where(eq(assignments.personId, person.id));
    expect(assigned.length).toBeGreaterThanOrEqual(3);
    const afterFirst = await raisedKeys();
    expect(afterFirst.filter((k) => k.startsWith("course-assigned:")).length).toBeGreaterThanOrEqual(assigned.length);
    expect(afterFirst.some((k) => k.startsWith(`agreement-to-sign:${person.id}:employee-nda`))).toBe(true);
    // Raised together, sent together: one message lists the courses and the agreements.
    const gathered = await messagesTo(person.id);
    expect(gathered).toHaveLength(1);
    expect(gathered[0].kind).toBe("reminder-digest");
    expect(gathered[0].covers!.filter((k) => k.startsWith("course-assigned:"))).toHaveLength(assigned.length);

    await tick(t0);
    expect(await raisedKeys()).toEqual(afterFirst);

    // Ten days after every due date: overdue reminders and escalations, once.
    const later = new Date(t0.getTime() + 40 * DAY);
    await tick(later);
    const keys = await raisedKeys();
    expect(keys.filter((k) => k.startsWith("course-overdue:")).length).toBeGreaterThanOrEqual(assigned.length);
    expect(keys.filter((k) => k.startsWith("escalation:") && k.endsWith(manager.id)).length).toBeGreaterThanOrEqual(
      assigned.length,
    );
    expect(await messagesTo(person.id)).toHaveLength(2);
    await tick(later);
    expect(await raisedKeys()).toEqual(keys);
  });

  it("queues a large backlog over several runs, each message once", async () => {
    const db = database.db();
    for (let i = 0; i < 5; i++) await createPerson(db, { name: `Backlog ${i}` });
    const now = new Date();
    await syncAssignments(db, { now });
    const before = (await outboxKeys()).length;
    await queueReminders(db, now, { maxNew: 2 });
    expect((await outboxKeys()).length).toBe(before + 2);
    // Later runs pick up where the last stopped, until nothing is left.
    for (let run = 0; run < 20; run++) {
      const count = (await outboxKeys()).length;
      await queueReminders(db, now, { maxNew: 2 });
      const queued = (await outboxKeys()).length - count;
      if (queued === 0) break;
      expect(queued).toBeLessThanOrEqual(2);
    }
    const keys = await raisedKeys();
    expect(new Set(keys).size).toBe(keys.length);
    // Five people, one message each listing their courses and agreements: more than two runs' worth.
    expect((await outboxKeys()).length).toBeGreaterThanOrEqual(before + 5);
    const last = await queueReminders(db, now);
    expect(last.bundled + last.assigned + last.agreements).toBe(0);
  });

  it("two ticks at once queue nothing twice", async () => {
    const db = database.db();
    await createPerson(db, { name: "Concurrent Carla" });
    const now = new Date(Date.now() + 60 * DAY);
    const reports = await Promise.all([tick(now), tick(now)]);
    expect(reports.flatMap((r) => r.errors)).toEqual([]);
    const dupes = await db.execute(sql`select dedupe_key from outbox group by dedupe_key having count(*) > 1`);
    expect((Array.isArray(dupes) ? dupes : (dupes as { rows: unknown[] }).rows).length).toBe(0);
    const open = await db.execute(
      sql`select person_id, course_id from assignments where completed_at is null and cancelled_at is null group by 1, 2 having count(*) > 1`,
    );
    expect((Array.isArray(open) ? open : (open as { rows: unknown[] }).rows).length).toBe(0);
  });
});
