import { and, eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";

import { MAX_BIND_PARAMETERS } from "@/db/chunks";
import { auditEvents, importJobs, outbox, people } from "@/db/schema";
import { verifyAuditChain } from "@/lib/audit/verify";
import { resetEnvForTests } from "@/lib/env";
import { ForbiddenError } from "@/lib/errors";
import {
  cancelImportJob,
  claimImportJob,
  createImportJob,
  getImportJob,
  importJobProblemsCsv,
  importJobStatus,
  MAX_ATTEMPTS,
  requestApply,
  runImportJobs,
  STALE_AFTER_MS,
} from "@/lib/people/import-jobs";
import { applyRetention } from "@/lib/privacy/retention";
import { queueReminders } from "@/lib/scheduler/reminders";
import { DAY } from "@/lib/time";

import { createPerson, reload, viewerOf } from "../helpers/factories";
import { rowsOf, withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
const HEADER = "email,name,department,title,manager_email,hire_date,roles";
const bytes = (text: string) => new TextEncoder().encode(text);

/** A generated organisation: a head, managers under them, staff under the managers, listed staff-first (managers later in the file). */
function organisation(prefix: string, size: number, bad = 0): string {
  const rows: string[] = [];
  const managers = Math.max(1, Math.floor(size / 20));
  for (let i = 0; i < size - managers - 1; i++)
    rows.push(
      `${prefix}.s${i}@org.example,Staff ${i} 山田,support,Agent,${prefix}.m${i % managers}@org.example,2026-12-01,`,
    );
  for (let m = 0; m < managers; m++)
    rows.push(
      `${prefix}.m${m}@org.example,Manager ${m},support,Lead,${prefix}.head@org.example,2026-12-01,employee;manager`,
    );
  rows.push(`${prefix}.head@org.example,Head of ${prefix},support,Director,,2026-12-01,employee;manager`);
  for (let b = 0; b < bad; b++) rows.push(`${prefix}.bad${b}@org.example,Bad ${b},Nowhere,,,2026-13-40,`);
  return [HEADER, ...rows].join("\n");
}

async function admin(prefix: string) {
  return viewerOf(
    await createPerson(database.db(), { roles: ["compliance_admin"], email: `${prefix}.admin@test.example` }),
  );
}

const count = async (query: ReturnType<typeof sql>) =>
  Number(rowsOf<{ n: number }>(await database.db().execute(query))[0].n);

/** Every person of the file exists once, with one welcome and one creation event, and the import has one summary event. */
async function expectAppliedOnce(prefix: string, size: number, jobId: string, existing = 0) {
  const like = `${prefix}.%@org.example`;
  expect(await count(sql`select count(*)::int as n from people where email like ${like}`)).toBe(size + existing);
  expect(
    await count(sql`select count(*)::int as n from (select person_id from outbox o join people p on p.id = o.person_id
                     where p.email like ${like} and o.kind = 'welcome' group by person_id having count(*) = 1) w`),
  ).toBe(size);
  expect(
    await count(
      sql`select count(*)::int as n from outbox o join people p on p.id = o.person_id where p.email like ${like}`,
    ),
  ).toBe(size);
  expect(
    await count(
      sql`select count(distinct target_id)::int as n from audit_events where action = 'person.created' and data->>'email' like ${like}`,
    ),
  ).toBe(size);
  expect(
    await count(
      sql`select count(*)::int as n from audit_events where action = 'person.created' and data->>'email' like ${like}`,
    ),
  ).toBe(size);
  const summaries = await database
    .db()
    .select({ data: auditEvents.data })
    .from(auditEvents)
    .where(and(eq(auditEvents.action, "people.imported"), sql`${auditEvents.data}->>'jobId' = ${jobId}`));
  expect(summaries).toHaveLength(1);
  expect(summaries[0].data).toMatchObject({ created: size });
}

afterEach(() => {
  delete process.env.OUTBOX_RETENTION_DAYS;
  resetEnvForTests();
});

describe("people import jobs", () => {
  it("validates in the background, shows the first problems and every one as CSV, then applies once with one audit event", async () => {
    const db = database.db();
    const viewer = await admin("life");
    const { id } = await createImportJob(viewer, { name: "org.csv", bytes: bytes(organisation("life", 60, 3)) });
    expect((await getImportJob(viewer, id)).status).toBe("validating");

    expect(await runImportJobs()).toEqual({ validated: 1, applied: 0, failed: 0 });
    const ready = await getImportJob(viewer, id);
    expect(ready).toMatchObject({ status: "ready", summary: { rows: 63, create: 60, invalid: 3 }, problemCount: 6 });
    expect(ready.problems[0]).toMatchObject({ row: 62, column: "department" });
    const { csv } = await importJobProblemsCsv(viewer, id);
    expect(csv.trim().split("\r\n")).toHaveLength(7);
    expect(csv).toContain("hire_date");
    expect(await count(sql`select count(*)::int as n from people where email like 'life.%@org.example'`)).toBe(0);

    await requestApply(viewer, id);
    expect((await importJobStatus(viewer, id)).status).toBe("applying");
    expect(await runImportJobs()).toEqual({ validated: 0, applied: 1, failed: 0 });
    const done = await getImportJob(viewer, id);
    expect(done).toMatchObject({ status: "applied", result: { created: 60, updated: 0 }, rowsDone: 60, rowsTotal: 60 });
    expect(await count(sql`select count(*)::int as n from people where email like 'life.%@org.example'`)).toBe(60);
    // Managers later in the file than their staff are linked.
    const [staff] = await db.select().from(people).where(eq(people.email, "life.s0@org.example"));
    const [manager] = await db.select().from(people).where(eq(people.email, "life.m0@org.example"));
    expect(staff.managerId).toBe(manager.id);

    const imported = await db.select().from(auditEvents).where(eq(auditEvents.action, "people.imported"));
    expect(imported).toHaveLength(1);
    expect(imported[0].data).toMatchObject({ created: 60, invalid: 3, jobId: id });
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });

    // Applying is one-way: a second request and a cancel are refused.
    await expect(requestApply(viewer, id)).rejects.toMatchObject({ code: "not_ready" });
    await expect(cancelImportJob(viewer, id)).rejects.toMatchObject({ code: "not_cancellable" });
  });

  it("lets one of 30 simultaneous apply requests through, applies it once however many runners race, and only for compliance admins", async () => {
    const viewer = await admin("race");
    const { id } = await createImportJob(viewer, { name: "org.csv", bytes: bytes(organisation("race", 10)) });
    await runImportJobs();
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => requestApply(viewer, id)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const employee = viewerOf(await createPerson(database.db()));
    await expect(getImportJob(employee, id)).rejects.toThrow(ForbiddenError);
    await expect(createImportJob(employee, { name: "x.csv", bytes: bytes(HEADER) })).rejects.toThrow(ForbiddenError);
    // Five runners at once, in steps of three rows: one owns the job, the others find nothing to claim.
    const reports = await Promise.all(Array.from({ length: 5 }, () => runImportJobs({ chunkRows: 3 })));
    expect(reports.reduce((n, r) => n + r.applied, 0)).toBe(1);
    expect((await getImportJob(viewer, id)).status).toBe("applied");
    await expectAppliedOnce("race", 10, id);
  });

  it("resumes after the last committed step when a runner dies mid-apply: every person, welcome and event once", async () => {
    const db = database.db();
    const viewer = await admin("resume");
    // Two people exist already: one the file updates (to a manager created by a later step), one it leaves as is.
    const boss = await createPerson(db, { email: "resume.boss@org.example", name: "Old Boss" });
    const kept = await createPerson(db, { email: "resume.kept@org.example", name: "Kept", managerId: boss.id });
    const moved = await createPerson(db, { email: "resume.moved@org.example", name: "Moved", managerId: boss.id });
    const file = [
      organisation("resume", 40),
      `resume.moved@org.example,Moved Renamed,support,Agent,resume.head@org.example,2026-12-01,`,
      `resume.kept@org.example,Kept,,,resume.boss@org.example,,`,
    ].join("\n");
    const { id } = await createImportJob(viewer, { name: "org.csv", bytes: bytes(file) });
    await runImportJobs();
    expect((await getImportJob(viewer, id)).summary).toMatchObject({ create: 40, update: 1, unchanged: 1 });
    await requestApply(viewer, id);

    // The first runner commits one step of 15 rows, then dies: the job stays ours, with a heartbeat going stale.
    await runImportJobs({ chunkRows: 15, abandonAfterChunks: 1 });
    const midway = await getImportJob(viewer, id);
    expect(midway).toMatchObject({ status: "applying", rowsDone: 15, rowsTotal: 41 });
    expect(await count(sql`select count(*)::int as n from people where email like 'resume.s%'`)).toBe(15);
    // While its heartbeat is fresh nobody takes it over…
    expect(await runImportJobs({ chunkRows: 15 })).toEqual({ validated: 0, applied: 0, failed: 0 });
    // …and once it is stale, the next runner carries on after the committed step.
    await db
      .update(importJobs)
      .set({ heartbeatAt: new Date(Date.now() - STALE_AFTER_MS - 1000) })
      .where(eq(importJobs.id, id));
    expect(await runImportJobs({ chunkRows: 15 })).toMatchObject({ applied: 1 });
    expect(await getImportJob(viewer, id)).toMatchObject({
      status: "applied",
      rowsDone: 41,
      result: { created: 40, updated: 1 },
    });
    await expectAppliedOnce("resume", 40, id, 3);

    // Managers created in later steps are linked, and the updated person's change is audited as one event.
    const [head] = await db.select().from(people).where(eq(people.email, "resume.head@org.example"));
    const [staff] = await db.select().from(people).where(eq(people.email, "resume.s0@org.example"));
    const [m0] = await db.select().from(people).where(eq(people.email, "resume.m0@org.example"));
    expect(staff.managerId).toBe(m0.id);
    expect(await reload(db, moved.id)).toMatchObject({
      name: "Moved Renamed",
      managerId: head.id,
      departmentId: "support",
    });
    expect(await reload(db, kept.id)).toMatchObject({ name: "Kept", managerId: boss.id });
    const updates = await db
      .select({ data: auditEvents.data })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "person.updated"), eq(auditEvents.targetId, moved.id)));
    expect(updates).toHaveLength(1);
    expect(updates[0].data).toMatchObject({
      changes: {
        name: { from: "Moved", to: "Moved Renamed" },
        manager_email: { from: "resume.boss@org.example", to: "resume.head@org.example" },
      },
      source: "import",
    });
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });

  it("gives up a job whose runner keeps dying, saying what is in place, and the same file again finishes it", async () => {
    const db = database.db();
    const viewer = await admin("dies");
    const file = organisation("dies", 30);
    const { id } = await createImportJob(viewer, { name: "org.csv", bytes: bytes(file) });
    await runImportJobs();
    await requestApply(viewer, id);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      await runImportJobs({ chunkRows: 5, abandonAfterChunks: 1 });
      await db
        .update(importJobs)
        .set({ heartbeatAt: new Date(Date.now() - STALE_AFTER_MS - 1000) })
        .where(eq(importJobs.id, id));
    }
    expect(await runImportJobs({ chunkRows: 5 })).toMatchObject({ failed: 1 });
    const failed = await getImportJob(viewer, id);
    expect(failed.status).toBe("failed");
    expect(failed.error).toContain("15 people were created and 0 updated");
    expect(await count(sql`select count(*)::int as n from people where email like 'dies.%@org.example'`)).toBe(15);

    const again = await createImportJob(viewer, { name: "org.csv", bytes: bytes(file) });
    await runImportJobs();
    // The people in place wait for their manager link (made when an import finishes): updates, not new people.
    expect((await getImportJob(viewer, again.id)).summary).toMatchObject({ create: 15, update: 15 });
    await requestApply(viewer, again.id);
    await runImportJobs();
    expect(await count(sql`select count(*)::int as n from people where email like 'dies.%@org.example'`)).toBe(30);
    expect(
      await count(sql`select count(*)::int as n from outbox where kind = 'welcome' and to_email like 'dies.%'`),
    ).toBe(30);
  });

  it("gives a job to one of many runners claiming at once, and takes over a job whose runner stopped", async () => {
    const db = database.db();
    const viewer = await admin("claim");
    const { id } = await createImportJob(viewer, { name: "org.csv", bytes: bytes(organisation("claim", 20)) });
    const claims = await Promise.all(Array.from({ length: 30 }, () => claimImportJob(db)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    // That runner "died" while validating: nobody else takes the job while its heartbeat is fresh…
    expect(await claimImportJob(db)).toBeNull();
    // …and the next runner does once it is stale.
    await db
      .update(importJobs)
      .set({ heartbeatAt: new Date(Date.now() - STALE_AFTER_MS - 1000) })
      .where(eq(importJobs.id, id));
    expect(await runImportJobs()).toMatchObject({ validated: 1 });
    await requestApply(viewer, id);

    // A runner killed mid-apply: its transaction rolled back, the job says "applying" with a stale heartbeat.
    await db
      .update(importJobs)
      .set({ claimToken: crypto.randomUUID(), heartbeatAt: new Date(Date.now() - STALE_AFTER_MS - 1000), attempts: 1 })
      .where(eq(importJobs.id, id));
    expect(await count(sql`select count(*)::int as n from people where email like 'claim.%@org.example'`)).toBe(0);
    expect(await runImportJobs()).toMatchObject({ applied: 1 });
    expect(await getImportJob(viewer, id)).toMatchObject({ status: "applied", result: { created: 20 } });
    expect(await count(sql`select count(*)::int as n from people where email like 'claim.%@org.example'`)).toBe(20);
  });

  it("refuses what is not a CSV file, and a file that cannot be read fails without changing anything", async () => {
    const viewer = await admin("bad");
    await expect(createImportJob(viewer, { name: "e.csv", bytes: new Uint8Array() })).rejects.toMatchObject({
      code: "invalid_file",
    });
    await expect(
      createImportJob(viewer, { name: "u.csv", bytes: new Uint8Array([0xff, 0xfe, 0x41, 0x00]) }),
    ).rejects.toMatchObject({ code: "invalid_file" });
    const { id } = await createImportJob(viewer, { name: "q.csv", bytes: bytes('email,name\n"unclosed,x') });
    expect(await runImportJobs()).toMatchObject({ failed: 1 });
    expect(await getImportJob(viewer, id)).toMatchObject({ status: "failed", error: expect.stringContaining("quote") });
    const cancelled = await createImportJob(viewer, { name: "c.csv", bytes: bytes(organisation("cancel", 5)) });
    await cancelImportJob(viewer, cancelled.id);
    expect(await runImportJobs()).toEqual({ validated: 0, applied: 0, failed: 0 });
    expect((await getImportJob(viewer, cancelled.id)).status).toBe("cancelled");
  });

  it("welcomes each new person with exactly one message, which the reminders do not repeat, and compacts it after the retention period", async () => {
    const db = database.db();
    const viewer = await admin("mail");
    const { id } = await createImportJob(viewer, { name: "org.csv", bytes: bytes(organisation("mail", 25)) });
    await runImportJobs();
    await requestApply(viewer, id);
    await runImportJobs();
    const perPerson = rowsOf<{ kind: string; n: number }>(
      await db.execute(sql`select o.kind, count(*)::int as n from outbox o join people p on p.id = o.person_id
                            where p.email like 'mail.%@org.example' group by o.kind`),
    );
    expect(perPerson).toEqual([{ kind: "welcome", n: 25 }]);

    // The scheduler's reminders find everything the welcomes listed already told.
    const now = new Date();
    await queueReminders(db, now, { maxNew: 100_000 });
    expect(
      await count(sql`select count(*)::int as n from outbox o join people p on p.id = o.person_id
                       where p.email like 'mail.%@org.example' and o.kind <> 'welcome'`),
    ).toBe(0);

    // Sent long ago: the body (the payload with the link) goes, the delivery record and what it covered stay.
    process.env.OUTBOX_RETENTION_DAYS = "30";
    resetEnvForTests();
    await db
      .update(outbox)
      .set({
        status: "sent",
        sentAt: new Date(now.getTime() - 31 * DAY),
        createdAt: new Date(now.getTime() - 31 * DAY),
      })
      .where(sql`${outbox.kind} = 'welcome' and ${outbox.toEmail} like 'mail.%@org.example'`);
    const report = await applyRetention(db, now);
    expect(report["outbox-bodies"]).toBeGreaterThanOrEqual(25);
    const after = await db
      .select()
      .from(outbox)
      .where(sql`${outbox.toEmail} like 'mail.%@org.example'`);
    expect(after.every((r) => r.payloadEnc === null && r.html === null && r.covers!.length > 0)).toBe(true);
    await queueReminders(db, now, { maxNew: 100_000 });
    expect(
      await count(
        sql`select count(*)::int as n from outbox where to_email like 'mail.%@org.example' and kind <> 'welcome'`,
      ),
    ).toBe(0);
  });

  it("rejects a retention period that is not a whole number of days", async () => {
    const { configurationError } = await import("@/lib/env");
    expect(configurationError({ OUTBOX_RETENTION_DAYS: "ninety" })).toContain("OUTBOX_RETENTION_DAYS");
    expect(configurationError({ OUTBOX_RETENTION_DAYS: "0" })).toContain("OUTBOX_RETENTION_DAYS");
    expect(configurationError({ OUTBOX_RETENTION_DAYS: "30" })).toBeNull();
  });

  it("applies a file larger than one statement may bind, through the job", async () => {
    const viewer = await admin("big");
    const size = 7_400; // nine values a person: 66,600 parameters, over the limit in one statement
    expect(size * 9).toBeGreaterThan(MAX_BIND_PARAMETERS);
    const { id } = await createImportJob(viewer, { name: "big.csv", bytes: bytes(organisation("big", size)) });
    await runImportJobs();
    await requestApply(viewer, id);
    expect(await runImportJobs()).toMatchObject({ applied: 1 });
    expect(await count(sql`select count(*)::int as n from people where email like 'big.%@org.example'`)).toBe(size);
    expect(
      await count(sql`select count(*)::int as n from outbox where kind = 'welcome' and to_email like 'big.%'`),
    ).toBe(size);
    expect(
      await count(
        sql`select count(*)::int as n from audit_events where action = 'person.created' and data->>'email' like 'big.%'`,
      ),
    ).toBe(size);
  }, 240_000);
});
