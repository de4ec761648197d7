import type { AddressInfo } from "node:net";

import { eq, sql } from "drizzle-orm";
import nodemailer from "nodemailer";
import { SMTPServer } from "smtp-server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { auditEvents, outbox } from "@/db/schema";
import { sampleProps } from "@/emails/samples";
import { resetEnvForTests } from "@/lib/env";
import { ForbiddenError } from "@/lib/errors";
import { getOutboxMessage, listOutbox } from "@/lib/notify/list-outbox";
import { queueEmail } from "@/lib/notify/queue-email";
import { RETRY_DELAYS_MS } from "@/lib/outbox/worker";
import { MINUTE } from "@/lib/time";

import { createPerson, viewerOf } from "../helpers/factories";
import { deliverEmails } from "../helpers/outbox";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
const t0 = new Date("2026-11-29T10:00:00Z");
const at = (ms: number) => new Date(t0.getTime() + ms);

type Received = { mailFrom: string; rcptTo: string[]; raw: string };

/** A real SMTP server on loopback; `rcptError(n)` may refuse the n-th RCPT TO. */
async function startSmtp(options: { rcptError?: (n: number, address: string) => Error | null } = {}) {
  const received: Received[] = [];
  let rcpts = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onRcptTo(address, _session, callback) {
      rcpts++;
      callback(options.rcptError?.(rcpts, address.address) ?? null);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
        received.push({
          mailFrom,
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  const transports: nodemailer.Transporter[] = [];
  const transport = () => {
    const t = nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true });
    transports.push(t);
    return t;
  };
  listeners.push(async () => {
    for (const t of transports) t.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { received, transport, port, rcptCount: () => rcpts };
}

const listeners: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (listeners.length) await listeners.pop()!();
});
beforeEach(async () => {
  await database.db().delete(outbox);
});

function busy(message: string): Error {
  return Object.assign(new Error(message), { responseCode: 451 });
}

const header = (raw: string, name: string) => raw.match(new RegExp(`^${name}: (.*)$`, "mi"))?.[1];

async function queueCourseAssigned(email: string, dedupeKey: string, courseTitle = "GDPR Essentials", now = t0) {
  return queueEmail(database.db(), {
    kind: "course-assigned",
    props: { ...sampleProps["course-assigned"], courseTitle },
    to: { email },
    dedupeKey,
    now,
  });
}

async function outboxRow(id: string) {
  const [row] = await database.db().select().from(outbox).where(eq(outbox.id, id));
  return row;
}

describe("email outbox", () => {
  it("queues a dedupe key once, rendered, inside the caller's transaction", async () => {
    const person = await createPerson(database.db());
    const db = database.db();
    const first = await db.transaction((tx) =>
      queueEmail(tx, {
        kind: "course-due-soon",
        props: sampleProps["course-due-soon"],
        to: { email: person.email, personId: person.id },
        dedupeKey: `course-due-soon:${person.id}:a1:2026-11-29`,
        now: t0,
      }),
    );
    const second = await queueEmail(db, {
      kind: "course-due-soon",
      props: sampleProps["course-due-soon"],
      to: { email: person.email, personId: person.id },
      dedupeKey: `course-due-soon:${person.id}:a1:2026-11-29`,
      now: t0,
    });
    expect(first).toEqual({ queued: true, id: expect.any(String) });
    expect(second).toEqual({ queued: false, id: null });

    const rows = await db.select().from(outbox);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      kind: "course-due-soon",
      personId: person.id,
      toEmail: person.email,
      status: "queued",
      attempts: 0,
      subject: "Reminder: GDPR Essentials for Support is due in 7 days",
    });
    expect(rows[0].html).toContain("GDPR Essentials for Support");
    expect(rows[0].text).toContain("6 December 2026");
    expect(rows[0].nextAttemptAt).toEqual(t0);

    // A rolled-back transaction leaves no email behind.
    await expect(
      db.transaction(async (tx) => {
        await queueEmail(tx, {
          kind: "course-assigned",
          props: sampleProps["course-assigned"],
          to: { email: "in.tx@test.example" },
          dedupeKey: "course-assigned:x:in-tx:v1",
        });
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    const keys = (await db.select({ key: outbox.dedupeKey }).from(outbox)).map((r) => r.key);
    expect(keys).not.toContain("course-assigned:x:in-tx:v1");
  });

  it("delivers over SMTP with subject, recipient and the PDF attachment", async () => {
    const smtp = await startSmtp();
    const pdf = Buffer.from("%PDF-1.7\n% sealed agreement for the test\n" + "x".repeat(300) + "\n%%EOF\n");
    const { id } = await queueEmail(database.db(), {
      kind: "signed-copy",
      props: sampleProps["signed-copy"],
      to: { email: "li.hua@test.example" },
      dedupeKey: "signed-copy:li:sig-1:v1",
      attachments: [{ filename: "agreement.pdf", contentType: "application/pdf", content: new Uint8Array(pdf) }],
      now: t0,
    });
    const stored = await outboxRow(id!);
    expect(stored.attachmentsEnc).toMatch(/^v1\./);
    expect(stored.attachmentsEnc).not.toContain(pdf.toString("base64").slice(0, 40));

    const result = await deliverEmails({ transport: smtp.transport(), now: at(1000) });
    expect(result).toEqual({ sent: 1, failed: 0, retried: 0 });
    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    expect(mail.rcptTo).toEqual(["li.hua@test.example"]);
    expect(mail.mailFrom).toBe("no-reply@clearance.local");
    expect(header(mail.raw, "Subject")).toBe("Your signed copy: Employee Confidentiality Agreement");
    expect(header(mail.raw, "To")).toBe("li.hua@test.example");
    expect(header(mail.raw, "Message-ID")).toBe(`<${id}@localhost>`);
    expect(mail.raw).toMatch(/Content-Type: application\/pdf; name="?agreement\.pdf"?/);
    expect(mail.raw).toMatch(/Content-Disposition: attachment; filename="?agreement\.pdf"?/);
    expect(mail.raw.replace(/\r?\n/g, "")).toContain(pdf.toString("base64"));
    expect(mail.raw).toContain("multipart/alternative");

    expect(await outboxRow(id!)).toMatchObject({ status: "sent", sentAt: at(1000), attempts: 0, lastError: null });
    expect(await deliverEmails({ transport: smtp.transport(), now: at(2000) })).toEqual({
      sent: 0,
      failed: 0,
      retried: 0,
    });
    expect(smtp.received).toHaveLength(1);
  });

  it("reschedules a message the server refuses with 451, then sends it when it is due", async () => {
    const smtp = await startSmtp({
      rcptError: (n, address) => (n === 1 ? busy(`Mailbox <${address}> busy, try again later`) : null),
    });
    const { id } = await queueCourseAssigned("ana.retry@test.example", "course-assigned:ana:c1:v1");

    expect(await deliverEmails({ transport: smtp.transport(), now: t0 })).toEqual({
      sent: 0,
      failed: 0,
      retried: 1,
    });
    const row = await outboxRow(id!);
    expect(row).toMatchObject({ status: "queued", attempts: 1, nextAttemptAt: at(RETRY_DELAYS_MS[0]) });
    expect(row.lastError).toContain("451");
    expect(row.lastError).not.toContain("ana.retry");

    expect(await deliverEmails({ transport: smtp.transport(), now: at(30_000) })).toEqual({
      sent: 0,
      failed: 0,
      retried: 0,
    });
    expect(smtp.rcptCount()).toBe(1);

    expect(await deliverEmails({ transport: smtp.transport(), now: at(MINUTE) })).toEqual({
      sent: 1,
      failed: 0,
      retried: 0,
    });
    expect(smtp.received.map((m) => m.rcptTo)).toEqual([["ana.retry@test.example"]]);
    expect(await outboxRow(id!)).toMatchObject({ status: "sent", attempts: 1, lastError: null, sentAt: at(MINUTE) });
  });

  it("backs off 1 min, 5 min, 30 min, 2 h, 12 h and fails after 6 attempts, keeping the error", async () => {
    const smtp = await startSmtp({ rcptError: () => busy("Greylisted, please try again later") });
    const { id } = await queueCourseAssigned("ana.fail@test.example", "course-assigned:ana:c2:v1");
    let now = t0;
    for (const [i, delay] of RETRY_DELAYS_MS.entries()) {
      expect(await deliverEmails({ transport: smtp.transport(), now })).toEqual({ sent: 0, failed: 0, retried: 1 });
      expect(await outboxRow(id!)).toMatchObject({
        status: "queued",
        attempts: i + 1,
        nextAttemptAt: new Date(now.getTime() + delay),
      });
      now = new Date(now.getTime() + delay);
    }
    expect(RETRY_DELAYS_MS.map((d) => d / MINUTE)).toEqual([1, 5, 30, 120, 720]);
    expect(await deliverEmails({ transport: smtp.transport(), now })).toEqual({ sent: 0, failed: 1, retried: 0 });
    const row = await outboxRow(id!);
    expect(row).toMatchObject({ status: "failed", attempts: 6, sentAt: null });
    expect(row.lastError).toMatch(/^451 .*Greylisted, please try again later/);

    expect(await deliverEmails({ transport: smtp.transport(), now: at(7 * 24 * 60 * MINUTE) })).toEqual({
      sent: 0,
      failed: 0,
      retried: 0,
    });
    expect(smtp.rcptCount()).toBe(6);
    expect(smtp.received).toHaveLength(0);
  });

  it("sends each message exactly once when workers run concurrently", async () => {
    const smtp = await startSmtp();
    const count = 10;
    for (let i = 0; i < count; i++)
      await queueCourseAssigned(`person${i}@test.example`, `course-assigned:p${i}:c1:v1`, `Course ${i}`, at(i));
    // Open several pool connections first, so the workers' claims really overlap on PostgreSQL.
    await Promise.all(Array.from({ length: 4 }, () => database.db().execute(sql`select pg_sleep(0.05)`)));
    const results = await Promise.all([
      deliverEmails({ transport: smtp.transport(), now: at(MINUTE), batchSize: 4 }),
      deliverEmails({ transport: smtp.transport(), now: at(MINUTE), batchSize: 4 }),
      deliverEmails({ transport: smtp.transport(), now: at(MINUTE), batchSize: 4 }),
    ]);
    expect(results.reduce((n, r) => n + r.sent, 0)).toBe(count);
    expect(results.every((r) => r.sent <= 4)).toBe(true);
    const subjects = smtp.received.map((m) => header(m.raw, "Subject")).sort();
    expect(subjects).toEqual(Array.from({ length: count }, (_, i) => `New training assigned: Course ${i}`).sort());
    const [{ sent }] = await database
      .db()
      .select({ sent: sql<number>`count(*)::int` })
      .from(outbox)
      .where(eq(outbox.status, "sent"));
    expect(sent).toBe(count);
  });

  // PGlite runs one transaction at a time, so only PostgreSQL can hold a lock across workers.
  it.runIf(Boolean(process.env.TEST_DATABASE_URL))(
    "skips, without waiting, the messages another worker has locked (PostgreSQL)",
    async () => {
      const smtp = await startSmtp();
      const ids: string[] = [];
      for (let i = 0; i < 3; i++)
        ids.push(
          (await queueCourseAssigned(`locked${i}@test.example`, `course-assigned:l${i}:c1:v1`, `Locked ${i}`, at(i)))
            .id!,
        );
      const result = await database.db().transaction(async (tx) => {
        await tx.select({ id: outbox.id }).from(outbox).where(eq(outbox.id, ids[0])).for("update");
        return deliverEmails({ transport: smtp.transport(), now: at(MINUTE) });
      });
      expect(result).toEqual({ sent: 2, failed: 0, retried: 0 });
      expect(smtp.received.flatMap((m) => m.rcptTo).sort()).toEqual(["locked1@test.example", "locked2@test.example"]);
      expect((await outboxRow(ids[0])).status).toBe("queued");
    },
  );

  it("puts a message a crashed worker left in 'sending' back in the queue after 10 minutes", async () => {
    const smtp = await startSmtp();
    const { id } = await queueCourseAssigned("ana.stuck@test.example", "course-assigned:ana:c3:v1");
    await database.db().update(outbox).set({ status: "sending", nextAttemptAt: t0 }).where(eq(outbox.id, id!));

    expect(await deliverEmails({ transport: smtp.transport(), now: at(9 * MINUTE) })).toEqual({
      sent: 0,
      failed: 0,
      retried: 0,
    });
    expect((await outboxRow(id!)).status).toBe("sending");

    expect(await deliverEmails({ transport: smtp.transport(), now: at(11 * MINUTE) })).toEqual({
      sent: 1,
      failed: 0,
      retried: 0,
    });
    expect(await outboxRow(id!)).toMatchObject({ status: "sent", attempts: 1 });
    expect(smtp.received).toHaveLength(1);
  });

  it("leaves messages queued when there is no SMTP server configured, and uses SMTP_URL once it is", async () => {
    const { id } = await queueCourseAssigned("ana.nosmtp@test.example", "course-assigned:ana:c4:v1");
    expect(await deliverEmails({ now: at(MINUTE) })).toEqual({ sent: 0, failed: 0, retried: 0 });
    expect(await outboxRow(id!)).toMatchObject({ status: "queued", attempts: 0 });

    const smtp = await startSmtp();
    process.env.SMTP_URL = `smtp://127.0.0.1:${smtp.port}`;
    resetEnvForTests();
    try {
      expect(await deliverEmails({ now: at(2 * MINUTE) })).toEqual({ sent: 1, failed: 0, retried: 0 });
    } finally {
      delete process.env.SMTP_URL;
      resetEnvForTests();
    }
    expect(smtp.received.map((m) => m.rcptTo)).toEqual([["ana.nosmtp@test.example"]]);
  });
});

describe("outbox for admins", () => {
  it("lists minimal columns to compliance admins only", async () => {
    const admin = viewerOf(await createPerson(database.db(), { roles: ["compliance_admin"] }));
    const employee = viewerOf(await createPerson(database.db()));
    const auditor = viewerOf(await createPerson(database.db(), { roles: ["auditor"] }));
    await queueCourseAssigned("ana.list@test.example", "course-assigned:ana:c5:v1");
    await queueEmail(database.db(), {
      kind: "signed-copy",
      props: sampleProps["signed-copy"],
      to: { email: "li.list@test.example" },
      dedupeKey: "signed-copy:li:sig-2:v1",
      attachments: [{ filename: "a.pdf", contentType: "application/pdf", content: new Uint8Array([37, 80, 68, 70]) }],
      now: at(1000),
    });

    await expect(listOutbox(employee)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(listOutbox(auditor)).rejects.toBeInstanceOf(ForbiddenError);
    const list = await listOutbox(admin);
    expect(list.total).toBe(2);
    expect(list.rows.map((r) => r.toEmail)).toEqual(["li.list@test.example", "ana.list@test.example"]);
    expect(Object.keys(list.rows[0]).sort()).toEqual([
      "attempts",
      "createdAt",
      "id",
      "kind",
      "lastError",
      "sentAt",
      "status",
      "subject",
      "toEmail",
    ]);
    expect((await listOutbox(admin, { status: "sent" })).rows).toEqual([]);

    const message = await getOutboxMessage(admin, list.rows[0].id);
    expect(message).toMatchObject({ kind: "signed-copy", hasAttachments: true, withheld: false });
    expect(message.text).toContain("Employee Confidentiality Agreement");
    expect(message).not.toHaveProperty("attachmentsEnc");
    await expect(getOutboxMessage(employee, list.rows[0].id)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(getOutboxMessage(admin, "not-a-uuid")).rejects.toThrow("No such email.");
  });

  it("shows a credential-bearing email only while unsent, and audits each viewing", async () => {
    const admin = viewerOf(await createPerson(database.db(), { roles: ["compliance_admin"] }));
    const { id } = await queueEmail(database.db(), {
      kind: "invitation",
      props: sampleProps.invitation,
      to: { email: "new.hire@test.example" },
      dedupeKey: "invitation:new:inv-1:v1",
      now: t0,
    });

    const unsent = await getOutboxMessage(admin, id!);
    expect(unsent.withheld).toBe(false);
    expect(unsent.text).toContain("/set-password?token=sample-token-not-real");
    const viewed = await database
      .db()
      .select({ action: auditEvents.action, actorId: auditEvents.actorId })
      .from(auditEvents)
      .where(eq(auditEvents.targetId, id!));
    expect(viewed).toEqual([{ action: "email.secret_viewed", actorId: admin.id }]);

    const smtp = await startSmtp();
    await deliverEmails({ transport: smtp.transport(), now: at(MINUTE) });
    const sent = await getOutboxMessage(admin, id!);
    expect(sent).toMatchObject({ status: "sent", withheld: true, html: null, text: null });
  });
});
