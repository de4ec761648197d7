import { eq, sql } from "drizzle-orm";
import nodemailer from "nodemailer";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { openDatabase, type Db } from "@/db/client";
import { outbox } from "@/db/schema";
import { sampleProps } from "@/emails/samples";
import { emailChannel } from "@/lib/notify/email-channel";
import { queueEmail } from "@/lib/notify/queue-email";
import { deliverDue, STUCK_AFTER_MS, type DeliveryCounts } from "@/lib/outbox/worker";

import { adminUrl } from "../helpers/database-url";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
const t0 = new Date("2026-11-29T10:00:00Z");
const at = (ms: number) => new Date(t0.getTime() + ms);
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});
beforeEach(async () => {
  await database.db().delete(outbox);
});

/**
 * An SMTP server stand-in that notes the outbox id of each message as the
 * send starts, then takes a few milliseconds (or waits for `hold`), so the
 * sends of workers running together interleave.
 */
function recordingTransport(log: string[], hold?: Promise<void>) {
  return nodemailer.createTransport<{ messageId: string }>({
    name: "recording",
    version: "1",
    send(mail, callback) {
      const messageId = String(mail.data.messageId);
      log.push(/^<([^@]+)@/.exec(messageId)![1]);
      void (async () => {
        await hold;
        await new Promise((resolve) => setTimeout(resolve, 1 + Math.floor(Math.random() * 5)));
        callback(null, { messageId });
      })();
    },
  });
}

/**
 * A second app instance on the same database: its own connection pool on
 * PostgreSQL. PGlite is one database inside this process, so there both
 * workers share it (and its one connection).
 */
async function secondInstance(): Promise<Db> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return database.db();
  const rows = await database.db().execute(sql`select current_database() as name`);
  const [{ name }] = rows as unknown as { name: string }[];
  const handle = await openDatabase({ url: adminUrl(url, name) });
  closers.push(() => handle.close());
  return handle.db;
}

async function queueMessages(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const { id } = await queueEmail(database.db(), {
      kind: "course-assigned",
      props: { ...sampleProps["course-assigned"], courseTitle: `Course ${i}` },
      to: { email: `worker${i}@test.example` },
      dedupeKey: `course-assigned:w${i}:c1:v1`,
      now: at(i),
    });
    ids.push(id!);
  }
  return ids;
}

/** Runs the worker until a run finds nothing due. */
async function drain(db: Db, log: string[]): Promise<DeliveryCounts[]> {
  const runs: DeliveryCounts[] = [];
  const transport = recordingTransport(log);
  for (;;) {
    const counts = await deliverDue(emailChannel({ transport }), { now: at(60_000), batchSize: 3, db });
    if (counts.sent + counts.retried + counts.failed === 0) return runs;
    runs.push(counts);
  }
}

describe("outbox worker", () => {
  it("two workers on one table at once send each message exactly once", async () => {
    const ids = await queueMessages(20);
    const other = await secondInstance();
    // Open pool connections first, so the two workers' claims really overlap on PostgreSQL.
    await Promise.all(Array.from({ length: 3 }, () => other.execute(sql`select pg_sleep(0.05)`)));
    const logs: [string[], string[]] = [[], []];

    const [first, second] = await Promise.all([drain(database.db(), logs[0]), drain(other, logs[1])]);

    const sent = [...logs[0], ...logs[1]];
    expect(sent.sort()).toEqual([...ids].sort());
    // Both took part: each claimed batches the other skipped.
    expect(logs[0].length).toBeGreaterThan(0);
    expect(logs[1].length).toBeGreaterThan(0);
    expect([...first, ...second].reduce((n, c) => n + c.sent, 0)).toBe(ids.length);
    expect([...first, ...second].every((c) => c.sent <= 3 && c.retried === 0 && c.failed === 0)).toBe(true);
    const rows = await database.db().select({ status: outbox.status, attempts: outbox.attempts }).from(outbox);
    expect(rows).toHaveLength(ids.length);
    expect(rows.every((r) => r.status === "sent" && r.attempts === 0)).toBe(true);
  });

  it("a worker whose batch was given back to the queue sends none of the rest of it", async () => {
    const ids = await queueMessages(3);
    const slowLog: string[] = [];
    let release!: () => void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    // The first worker claims all three and hangs in its first send...
    const slow = deliverDue(emailChannel({ transport: recordingTransport(slowLog, hold) }), { now: at(1000) });
    await expect.poll(() => slowLog.length).toBe(1);

    // ...long enough for another worker to take the batch back and send it.
    const log: string[] = [];
    const later = at(STUCK_AFTER_MS + 60_000);
    expect(
      await deliverDue(emailChannel({ transport: recordingTransport(log) }), {
        now: later,
        db: await secondInstance(),
      }),
    ).toEqual({ sent: 3, retried: 0, failed: 0 });
    expect(log.sort()).toEqual([...ids].sort());

    release();
    await slow;
    // Only the send already under way when the batch was taken back went out twice.
    expect(slowLog).toEqual([ids[0]]);
    const rows = await database.db().select().from(outbox).where(eq(outbox.status, "sent"));
    expect(rows.map((r) => ({ attempts: r.attempts, sentAt: r.sentAt }))).toEqual(
      ids.map(() => ({ attempts: 1, sentAt: later })),
    );
  });
});
