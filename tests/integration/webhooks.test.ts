import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

import { and, eq, inArray, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";

import { auditEvents, webhookDeliveries, webhooks } from "@/db/schema";
import { decryptText } from "@/lib/crypto/encryption";
import { resetEnvForTests } from "@/lib/env";
import { ForbiddenError } from "@/lib/errors";
import { RETRY_DELAYS_MS } from "@/lib/outbox/worker";
import { MINUTE } from "@/lib/time";
import { enqueueWebhookEvent } from "@/lib/webhooks/enqueue";
import {
  createWebhook,
  deactivateWebhook,
  listWebhooks,
  webhookDeliveryLog,
  webhookInputSchema,
} from "@/lib/webhooks/manage-webhooks";
import { verifyWebhookSignature } from "@/lib/webhooks/signature";

import { context, createPerson, viewerOf } from "../helpers/factories";
import { deliverWebhooks } from "../helpers/outbox";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
// These receivers listen on loopback: allow private targets here (tests/security/webhook-targets.test.ts covers the refusal).
const allowPrivateTargets = (on: boolean) => {
  process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS = String(on);
  resetEnvForTests();
};
beforeEach(() => allowPrivateTargets(true));
afterAll(() => {
  delete process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS;
  resetEnvForTests();
});
const t0 = new Date("2026-11-29T10:00:00Z");
const at = (ms: number) => new Date(t0.getTime() + ms);

type Hit = { method: string; path: string; headers: IncomingHttpHeaders; body: string };
const closers: (() => Promise<void>)[] = [];

/** A real HTTP receiver on loopback; `respond(n)` gives the status for the n-th request. */
async function startReceiver(respond: (n: number, hit: Hit) => number = () => 200) {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const hit = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      hits.push(hit);
      const status = respond(hits.length, hit);
      res
        .writeHead(
          status,
          status >= 300 && status < 400
            ? { location: "http://127.0.0.1:9/elsewhere" }
            : { "content-type": "text/plain" },
        )
        .end(status < 300 ? "thanks" : "no");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${port}/hooks/clearance?source=clearance`, hits };
}

/** A port nothing listens on: open one, note it, close it. */
async function deadUrl() {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/gone`;
}

async function admin() {
  return viewerOf(await createPerson(database.db(), { roles: ["compliance_admin"], name: "Carmen Admin" }));
}

async function register(url: string, eventTypes: string[] = ["access.granted", "access.revoked", "access.lapsed"]) {
  const viewer = await admin();
  const created = await createWebhook(viewer, context(viewer.id), { url, eventTypes });
  return { ...created, viewer };
}

async function deliveriesOf(webhookId: string) {
  return database
    .db()
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.webhookId, webhookId))
    .orderBy(webhookDeliveries.createdAt);
}

afterEach(async () => {
  // Each test owns its receivers: retire them so later tests only deliver to their own.
  const db = database.db();
  await db.update(webhooks).set({ active: false });
  await db
    .update(webhookDeliveries)
    .set({ status: "failed" })
    .where(inArray(webhookDeliveries.status, ["pending", "sending"]));
  while (closers.length) await closers.pop()!();
});

describe("webhook registration", () => {
  it("accepts https to public hosts, and http or private hosts only where private targets are allowed, with clear messages", () => {
    const check = (url: string) => {
      const r = webhookInputSchema.safeParse({ url, eventTypes: ["access.granted"] });
      return r.success ? "ok" : r.error.issues[0].message;
    };
    expect(check("https://siem.example.com/hooks/clearance")).toBe("ok");
    expect(check("http://localhost:4000/hook")).toBe("ok");
    expect(check("http://127.0.0.1:4000/hook")).toBe("ok");
    allowPrivateTargets(false);
    expect(check("https://siem.example.com/hooks/clearance")).toBe("ok");
    expect(check("http://siem.example.com/hook")).toMatch(
      /^Use https:\/\/\. Plain http:\/\/ is accepted only where private targets are allowed/,
    );
    expect(check("http://localhost:4000/hook")).toMatch(/^That address is on a private or internal network/);
    expect(check("https://127.0.0.1:4000/hook")).toMatch(/^That address is on a private or internal network/);
    expect(check("https://api.localhost/hook")).toMatch(/^That address is on a private or internal network/);
    expect(check("http://localhost.evil.example/hook")).toMatch(/^Use https:\/\//);
    expect(check("https://localhost.evil.example/hook")).toBe("ok");
    allowPrivateTargets(true);
    expect(check("ftp://files.example.com/")).toBe("The URL must start with https://.");
    expect(check("javascript:alert(1)")).toBe("The URL must start with https://.");
    expect(check("siem.example.com/hook")).toMatch(/Enter a full URL/);
    expect(check("https://user:pw@siem.example.com/hook")).toMatch(/Remove the user name and password/);
    expect(check("")).toBe("Enter the URL that should receive events.");
    expect(webhookInputSchema.safeParse({ url: "https://a.example", eventTypes: [] }).error?.issues[0].message).toBe(
      "Choose at least one event to send.",
    );
    expect(webhookInputSchema.safeParse({ url: "https://a.example", eventTypes: "access.granted" }).success).toBe(true);
    expect(webhookInputSchema.safeParse({ url: "https://a.example", eventTypes: ["access.deleted"] }).success).toBe(
      false,
    );
  });

  it("shows the secret once, stores it encrypted bound to the webhook, and audits creation and deactivation", async () => {
    const db = database.db();
    const { id, secret, viewer } = await register("https://siem.example.com/hooks/clearance?token=abc", [
      "access.lapsed",
      "access.lapsed",
    ]);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{40,}$/);
    const [row] = await db.select().from(webhooks).where(eq(webhooks.id, id));
    expect(row.secretEnc).not.toContain(secret.slice(6));
    expect(row.eventTypes).toEqual(["access.lapsed"]);
    expect(decryptText(row.secretEnc, `webhook:${id}`)).toBe(secret);
    expect(() => decryptText(row.secretEnc, "webhook:00000000-0000-0000-0000-000000000000")).toThrow();

    const listed = (await listWebhooks(viewer)).find((w) => w.id === id)!;
    expect(listed).toMatchObject({
      url: "https://siem.example.com/hooks/clearance?token=abc",
      active: true,
      createdByName: "Carmen Admin",
    });
    expect(Object.keys(listed)).not.toContain("secretEnc");

    await enqueueWebhookEvent(db, "access.lapsed", "access.lapsed:g-deactivate", { n: 1 }, t0);
    await deactivateWebhook(viewer, context(viewer.id), id, t0);
    expect((await deliveriesOf(id)).map((d) => [d.status, d.lastError])).toEqual([
      ["failed", "webhook deactivated before delivery"],
    ]);
    await expect(deactivateWebhook(viewer, context(viewer.id), id, t0)).rejects.toThrow("already deactivated");
    expect(await enqueueWebhookEvent(db, "access.lapsed", "access.lapsed:after", {}, t0)).toBe(0);

    const audit = await db.select().from(auditEvents).where(eq(auditEvents.targetId, id)).orderBy(auditEvents.id);
    expect(audit.map((a) => a.action)).toEqual(["webhook.created", "webhook.deactivated"]);
    // The query string (which may hold a receiver's token) and the secret stay out of the audit log.
    expect(JSON.stringify(audit.map((a) => a.data))).not.toMatch(/token=abc|whsec_/);
    expect(audit[0].data).toEqual({ url: "https://siem.example.com/hooks/clearance", eventTypes: ["access.lapsed"] });

    const employee = viewerOf(await createPerson(db));
    await expect(
      createWebhook(employee, context(employee.id), { url: "https://x.example", eventTypes: ["access.granted"] }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(listWebhooks(employee)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(webhookDeliveryLog(employee, id)).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe("webhook delivery", () => {
  it("POSTs the stored payload to a real receiver with headers and a signature that verifies", async () => {
    const receiver = await startReceiver();
    const { id, secret, viewer } = await register(receiver.url);
    const other = await startReceiver();
    await register(other.url, ["certification.expired"]);

    const data = { grantId: "g-1", email: "li.hua@test.example", name: "李华" };
    expect(await enqueueWebhookEvent(database.db(), "access.granted", "access.granted:g-1", data, t0)).toBe(1);
    expect(await enqueueWebhookEvent(database.db(), "access.granted", "access.granted:g-1", data, t0)).toBe(0);

    expect(await deliverWebhooks({ now: t0 })).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(other.hits).toHaveLength(0);
    expect(receiver.hits).toHaveLength(1);
    const [hit] = receiver.hits;
    const [delivery] = await deliveriesOf(id);
    expect(hit.method).toBe("POST");
    expect(hit.path).toBe("/hooks/clearance?source=clearance");
    expect(hit.headers["content-type"]).toBe("application/json");
    expect(hit.headers["clearance-event"]).toBe("access.granted");
    expect(hit.headers["clearance-delivery"]).toBe(delivery.id);
    expect(hit.headers["clearance-signature"]).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(secret, hit.headers["clearance-signature"] as string, hit.body, new Date())).toBe(
      true,
    );
    expect(
      verifyWebhookSignature("whsec_wrong", hit.headers["clearance-signature"] as string, hit.body, new Date()),
    ).toBe(false);
    expect(JSON.parse(hit.body)).toEqual({
      id: "access.granted:g-1",
      type: "access.granted",
      createdAt: t0.toISOString(),
      data,
    });
    expect(delivery).toMatchObject({
      status: "delivered",
      attempts: 1,
      lastStatusCode: 200,
      lastError: null,
      deliveredAt: t0,
    });

    expect(await deliverWebhooks({ now: at(MINUTE) })).toEqual({ sent: 0, retried: 0, failed: 0 });
    const log = (await webhookDeliveryLog(viewer, id))!;
    expect(log.deliveries).toHaveLength(1);
    expect(log.deliveries[0]).toMatchObject({
      eventType: "access.granted",
      eventId: "access.granted:g-1",
      status: "delivered",
      attempts: 1,
      lastStatusCode: 200,
    });
    expect(Object.keys(log.deliveries[0])).not.toContain("payload");
    expect((await listWebhooks(viewer)).find((w) => w.id === id)!.deliveries).toEqual({
      pending: 0,
      sending: 0,
      delivered: 1,
      failed: 0,
    });
  });

  it("retries a receiver that answers 500, on the backoff schedule, with the same delivery id", async () => {
    const receiver = await startReceiver((n) => (n === 1 ? 500 : 204));
    const { id, secret } = await register(receiver.url);
    await enqueueWebhookEvent(database.db(), "access.revoked", "access.revoked:g-2", { grantId: "g-2" }, t0);

    expect(await deliverWebhooks({ now: t0 })).toEqual({ sent: 0, retried: 1, failed: 0 });
    let [row] = await deliveriesOf(id);
    expect(row).toMatchObject({
      status: "pending",
      attempts: 1,
      lastStatusCode: 500,
      lastError: "HTTP 500: the receiver did not answer 2xx",
      deliveredAt: null,
    });
    expect(row.nextAttemptAt).toEqual(at(RETRY_DELAYS_MS[0]));

    expect(await deliverWebhooks({ now: at(30_000) })).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(receiver.hits).toHaveLength(1);

    expect(await deliverWebhooks({ now: at(RETRY_DELAYS_MS[0]) })).toEqual({ sent: 1, retried: 0, failed: 0 });
    [row] = await deliveriesOf(id);
    expect(row).toMatchObject({
      status: "delivered",
      attempts: 2,
      lastStatusCode: 204,
      lastError: null,
      deliveredAt: at(RETRY_DELAYS_MS[0]),
    });
    expect(receiver.hits.map((h) => h.headers["clearance-delivery"])).toEqual([row.id, row.id]);
    expect(receiver.hits[0].body).toBe(receiver.hits[1].body);
    expect(
      receiver.hits.every((h) =>
        verifyWebhookSignature(secret, h.headers["clearance-signature"] as string, h.body, new Date()),
      ),
    ).toBe(true);
  });

  it("marks a delivery failed after 6 failed attempts, then leaves it alone", async () => {
    const receiver = await startReceiver(() => 503);
    const { id } = await register(receiver.url);
    await enqueueWebhookEvent(database.db(), "access.lapsed", "access.lapsed:g-3", {}, t0);
    let now = t0;
    for (let attempt = 1; attempt <= 6; attempt++) {
      const result = await deliverWebhooks({ now });
      expect(result).toEqual(attempt < 6 ? { sent: 0, retried: 1, failed: 0 } : { sent: 0, retried: 0, failed: 1 });
      if (attempt < 6) now = new Date(now.getTime() + RETRY_DELAYS_MS[attempt - 1]);
    }
    const [row] = await deliveriesOf(id);
    expect(row).toMatchObject({ status: "failed", attempts: 6, lastStatusCode: 503 });
    expect(await deliverWebhooks({ now: at(7 * 24 * 60 * MINUTE) })).toEqual({
      sent: 0,
      retried: 0,
      failed: 0,
    });
    expect(receiver.hits).toHaveLength(6);
  });

  it("survives receivers that refuse connections, time out, redirect or break, and still delivers to the good one", async () => {
    const good = await startReceiver();
    const redirecting = await startReceiver(() => 302);
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", () => resolve()));
    closers.push(() => new Promise<void>((resolve) => (silent.closeAllConnections(), silent.close(() => resolve()))));
    const refused = await register(await deadUrl());
    const timedOut = await register(`http://localhost:${(silent.address() as AddressInfo).port}/slow`);
    const redirect = await register(redirecting.url);
    const ok = await register(good.url);
    await enqueueWebhookEvent(database.db(), "access.granted", "access.granted:g-4", { grantId: "g-4" }, t0);

    // The "slow" receiver never answers: a short limit stands in for the 10 seconds.
    expect(await deliverWebhooks({ now: t0, timeoutMs: 1_500 })).toEqual({ sent: 1, retried: 3, failed: 0 });

    const state = async (webhookId: string) => {
      const [row] = await deliveriesOf(webhookId);
      return { status: row.status, code: row.lastStatusCode, error: row.lastError };
    };
    expect(await state(ok.id)).toEqual({ status: "delivered", code: 200, error: null });
    expect(await state(refused.id)).toEqual({
      status: "pending",
      code: null,
      error: "connection refused (ECONNREFUSED)",
    });
    expect(await state(timedOut.id)).toEqual({
      status: "pending",
      code: null,
      error: "timed out: no answer within 1.5 seconds",
    });
    expect(await state(redirect.id)).toEqual({
      status: "pending",
      code: 302,
      error: "HTTP 302: redirects are not followed; register the final URL",
    });
    expect(redirecting.hits).toHaveLength(1);
    expect(good.hits).toHaveLength(1);

    // A lookup that throws something odd is one more failed attempt, not a crash, and its text stays out of the log.
    const broken = () => Promise.reject(new Error("socket hang up: secret=whsec_leak https://user:pw@host"));
    const result = await deliverWebhooks({ now: at(RETRY_DELAYS_MS[0]), resolve: broken });
    expect(result).toEqual({ sent: 0, retried: 3, failed: 0 });
    expect((await state(timedOut.id)).error).toBe("request failed");
  });

  it("delivers each event once when workers run concurrently", async () => {
    const receiver = await startReceiver();
    const { id } = await register(receiver.url);
    const count = 12;
    for (let i = 0; i < count; i++)
      await enqueueWebhookEvent(database.db(), "access.granted", `access.granted:c-${i}`, { i }, at(i));
    // Open several pool connections first, so the workers' claims really overlap on PostgreSQL.
    await Promise.all(Array.from({ length: 4 }, () => database.db().execute(sql`select pg_sleep(0.05)`)));
    const results = await Promise.all([
      deliverWebhooks({ now: at(MINUTE), batchSize: 5 }),
      deliverWebhooks({ now: at(MINUTE), batchSize: 5 }),
      deliverWebhooks({ now: at(MINUTE), batchSize: 5 }),
    ]);
    expect(results.reduce((n, r) => n + r.sent, 0)).toBe(count);
    expect(results.every((r) => r.sent <= 5)).toBe(true);
    expect(receiver.hits).toHaveLength(count);
    expect(new Set(receiver.hits.map((h) => h.headers["clearance-delivery"])).size).toBe(count);
    expect(receiver.hits.map((h) => JSON.parse(h.body).data.i).sort((a, b) => a - b)).toEqual(
      Array.from({ length: count }, (_, i) => i),
    );
    expect((await deliveriesOf(id)).every((d) => d.status === "delivered" && d.attempts === 1)).toBe(true);
  });

  // PGlite runs one transaction at a time, so only PostgreSQL can hold a lock across workers.
  it.runIf(Boolean(process.env.TEST_DATABASE_URL))(
    "skips, without waiting, deliveries another worker has locked (PostgreSQL)",
    async () => {
      const receiver = await startReceiver();
      const { id } = await register(receiver.url);
      for (let i = 0; i < 3; i++)
        await enqueueWebhookEvent(database.db(), "access.granted", `access.granted:l-${i}`, { i }, t0);
      const [first] = await deliveriesOf(id);
      const result = await database.db().transaction(async (tx) => {
        await tx
          .select({ id: webhookDeliveries.id })
          .from(webhookDeliveries)
          .where(eq(webhookDeliveries.id, first.id))
          .for("update");
        return deliverWebhooks({ now: t0 });
      });
      expect(result).toEqual({ sent: 2, retried: 0, failed: 0 });
      expect((await deliveriesOf(id)).find((d) => d.id === first.id)!.status).toBe("pending");
    },
  );

  it("puts a delivery a crashed worker left in 'sending' back in the queue after 10 minutes", async () => {
    const receiver = await startReceiver();
    const { id } = await register(receiver.url);
    await enqueueWebhookEvent(database.db(), "access.granted", "access.granted:stuck", {}, t0);
    await database
      .db()
      .update(webhookDeliveries)
      .set({ status: "sending", nextAttemptAt: t0 })
      .where(eq(webhookDeliveries.webhookId, id));

    expect(await deliverWebhooks({ now: at(9 * MINUTE) })).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect((await deliveriesOf(id))[0].status).toBe("sending");

    expect(await deliverWebhooks({ now: at(11 * MINUTE) })).toEqual({ sent: 1, retried: 0, failed: 0 });
    // One attempt for the interrupted send, one for the delivery.
    expect((await deliveriesOf(id))[0]).toMatchObject({ status: "delivered", attempts: 2 });
    expect(receiver.hits).toHaveLength(1);
  });

  it("fails, without sending, a delivery whose webhook was deactivated after it was claimed", async () => {
    const receiver = await startReceiver();
    const { id } = await register(receiver.url);
    await enqueueWebhookEvent(database.db(), "access.granted", "access.granted:late", {}, t0);
    // Deactivated behind the admin screen's back (so the pending row is not cancelled first).
    await database
      .db()
      .update(webhooks)
      .set({ active: false })
      .where(and(eq(webhooks.id, id)));
    expect(await deliverWebhooks({ now: t0 })).toEqual({ sent: 0, retried: 0, failed: 1 });
    expect(receiver.hits).toHaveLength(0);
  });
});
