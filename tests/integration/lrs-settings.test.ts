import { randomUUID } from "node:crypto";

import { and, eq, gte } from "drizzle-orm";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { auditEvents, lrsSettings, xapiStatements } from "@/db/schema";
import { getCourse } from "@/lib/content";
import { decryptText } from "@/lib/crypto/encryption";
import { DomainError, FieldError } from "@/lib/errors";
import { deliverDue, MAX_ATTEMPTS } from "@/lib/outbox/worker";
import { completeLesson } from "@/lib/training/lesson-progress";
import { lrsChannel } from "@/lib/xapi/lrs-channel";
import { forgetLrsConfig, LRS_SECRET_CONTEXT, lrsConfig, REFRESH_MS } from "@/lib/xapi/lrs-config";
import { lrsStatus } from "@/lib/xapi/lrs-status";
import { disconnectLrs, resendFailedStatements, saveLrsSettings, type LrsInput } from "@/lib/xapi/manage-lrs";

import { setEnv } from "../helpers/env";
import { context, createPerson, viewerOf } from "../helpers/factories";
import { startLrsStub, type LrsStub } from "../helpers/lrs-stub";
import { withTestDatabase } from "../helpers/test-database";

/**
 * A compliance admin connects the learning record store in the app: the
 * endpoint is held to the webhooks' target rules, the secret is stored
 * encrypted under the row and sent only to the host it was entered for, the
 * deployment's own settings take precedence, and every change is audited.
 */

const database = withTestDatabase();
const COURSE = "incident-reporting";
let lrs: LrsStub;
let admin: ReturnType<typeof viewerOf>;
let since: Date;

beforeEach(async () => {
  const db = database.db();
  await db.delete(xapiStatements);
  await db.delete(lrsSettings);
  forgetLrsConfig();
  since = new Date();
  lrs = await startLrsStub();
  admin ??= viewerOf(await createPerson(db, { name: "Ana Admin", roles: ["compliance_admin"] }));
});
afterEach(async () => {
  await lrs.close();
  setEnv({ XAPI_LRS_URL: undefined, XAPI_ALLOW_LOOPBACK_HTTP: "true" });
  vi.restoreAllMocks();
});
afterAll(() => forgetLrsConfig());

const connect = (input: Partial<LrsInput> = {}) =>
  saveLrsSettings(admin, context(admin.id), {
    endpoint: lrs.url,
    username: lrs.username,
    password: lrs.password,
    ...input,
  });
const send = () => deliverDue(lrsChannel({ timeoutMs: 2_000 }));
const row = async () => (await database.db().select().from(lrsSettings))[0];
/** This test's audit events of one action (the database is shared by the file's tests). */
const audits = (action: string) =>
  database
    .db()
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, action), gte(auditEvents.at, since)))
    .orderBy(auditEvents.at);

async function completeFirstLesson(name: string) {
  const learner = viewerOf(await createPerson(database.db(), { name }));
  await completeLesson(learner, COURSE, getCourse(COURSE)!.lessons[0].slug);
  return learner;
}

async function refusal(run: Promise<unknown>): Promise<{ code: string; field?: string; message: string }> {
  const error = await run.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  const e = error as DomainError;
  return { code: e.code, field: e instanceof FieldError ? e.field : undefined, message: e.message };
}

describe("the learning record store an admin connects", () => {
  it("stores the secret encrypted under the row, sends statements there, and shows no secret", async () => {
    const saved = await connect({ endpoint: `${lrs.url}statements` });
    expect(saved).toMatchObject({ endpoint: lrs.url, firstConnection: true });
    expect(saved.check).toEqual({ ok: true, message: "The store accepted the key and secret." });

    const stored = await row();
    expect(stored.endpoint).toBe(lrs.url);
    expect(stored.secretEnc).not.toContain(lrs.password);
    expect(decryptText(stored.secretEnc!, LRS_SECRET_CONTEXT(stored.connectionId))).toBe(lrs.password);
    expect(() => decryptText(stored.secretEnc!, LRS_SECRET_CONTEXT(randomUUID()))).toThrow();

    const learner = await completeFirstLesson("Ines Learner");
    expect(await send()).toMatchObject({ sent: 1, failed: 0 });
    const [statement] = [...lrs.stored.values()];
    expect(statement.actor).toMatchObject({ account: { name: learner.id } });

    const status = await lrsStatus(admin);
    expect(status).toMatchObject({ source: "admin", endpoint: lrs.url, hasKey: true, username: lrs.username });
    expect(status.updatedByName).toBe("Ana Admin");
    expect(JSON.stringify(status)).not.toContain(lrs.password);

    const [audit] = await audits("xapi.lrs_saved");
    expect(audit.data).toEqual({
      endpoint: lrs.url,
      actor: "account",
      key: true,
      secretReplaced: true,
      firstConnection: true,
    });
    expect(JSON.stringify(audit)).not.toContain(lrs.password);
    expect(JSON.stringify(audit)).not.toContain(lrs.username);
  });

  it("refuses endpoints a webhook could not reach, and loopback http unless the deployment allows it", async () => {
    setEnv({ XAPI_ALLOW_LOOPBACK_HTTP: "false" });
    const port = new URL(lrs.url).port;
    const cases: [string, RegExp][] = [
      [lrs.url, /private or internal network/],
      [`https://127.0.0.1:${port}/xapi/`, /private or internal network/],
      ["https://10.1.2.3/xapi/", /private or internal network/],
      ["https://[::ffff:169.254.169.254]/xapi/", /private or internal network/],
      ["https://lrs.localhost/xapi/", /private or internal network/],
      ["http://lrs.example.com/xapi/", /Use https/],
      ["https://key:secret@lrs.example.com/xapi/", /Remove the user name and password/],
      ["https://lrs.example.com/xapi/?token=1", /Remove the \?query/],
      ["ftp://lrs.example.com/xapi/", /must start with https/],
      ["lrs.example.com", /full URL/],
    ];
    for (const [endpoint, message] of cases) {
      const refused = await refusal(connect({ endpoint }));
      expect(refused.field, endpoint).toBe("endpoint");
      expect(refused.message, endpoint).toMatch(message);
    }
    const colon = await refusal(connect({ endpoint: "https://lrs.example.com/xapi/", username: "a:b" }));
    expect(colon).toMatchObject({ field: "username", message: "A key cannot contain a colon (:)." });
    expect(await row()).toBeUndefined();
    expect(await audits("xapi.lrs_saved")).toHaveLength(0);
  });

  it("checks the address again when sending: a store that became private is refused, not reached", async () => {
    await connect();
    // Saved while loopback was allowed; the deployment has since turned that off.
    setEnv({ XAPI_ALLOW_LOOPBACK_HTTP: "false" });
    forgetLrsConfig();
    await completeFirstLesson("Omar Learner");
    expect(await send()).toMatchObject({ sent: 0, retried: 1 });
    const [statement] = await database.db().select().from(xapiStatements);
    expect(statement.lastError).toMatch(/^refused: plain http/);
    expect(lrs.requests.filter((r) => r.method === "PUT")).toHaveLength(0);

    // An https store on a loopback address is refused after resolving, whatever the setting said when saved.
    await database
      .db()
      .update(lrsSettings)
      .set({ endpoint: `https://127.0.0.1:${new URL(lrs.url).port}/xapi/` });
    forgetLrsConfig();
    await database.db().update(xapiStatements).set({ nextAttemptAt: new Date() });
    await send();
    const [again] = await database.db().select().from(xapiStatements);
    expect(again.lastError).toMatch(/private or reserved address/);
  });

  it("keeps a stored secret only for the same host and key", async () => {
    await connect();
    const before = await row();
    const other = await startLrsStub({ username: lrs.username, password: "a-different-secret" });
    try {
      const moved = await refusal(connect({ endpoint: other.url, password: "" }));
      expect(moved).toMatchObject({ field: "password", code: "lrs_secret_required" });
      const rekeyed = await refusal(connect({ username: "another-key", password: "" }));
      expect(rekeyed).toMatchObject({ field: "password", code: "lrs_secret_required" });
      expect(await row()).toEqual(before);
      expect(other.requests).toHaveLength(0);

      // Same host and key, blank secret: kept, and the store still takes it.
      const kept = await connect({ password: "", actor: "mbox" });
      expect(kept.check.ok).toBe(true);
      expect(kept.firstConnection).toBe(false);
      const after = await row();
      expect(after).toMatchObject({ secretEnc: before.secretEnc, connectionId: before.connectionId, actor: "mbox" });
      const [audit] = (await audits("xapi.lrs_saved")).slice(-1);
      expect(audit.data).toMatchObject({ secretReplaced: false, firstConnection: false, actor: "mbox" });

      // With its own secret, the other store is taken.
      expect((await connect({ endpoint: other.url, password: other.password })).check.ok).toBe(true);
    } finally {
      await other.close();
    }
  });

  it("tells the admin at once when the store refuses the key, and says where to fix it", async () => {
    const saved = await connect({ password: "not-the-secret" });
    expect(saved.check).toEqual({ ok: false, message: "The store refused the key and secret (HTTP 401)." });
    await completeFirstLesson("Paul Learner");
    await send();
    const [statement] = await database.db().select().from(xapiStatements);
    expect(statement.lastError).toBe(
      "HTTP 401: the LRS refused the credentials (check the key and secret in Admin → Webhooks)",
    );
    expect(statement.lastError).not.toContain("not-the-secret");

    await lrs.close();
    const unreachable = await connect({ password: lrs.password });
    expect(unreachable.check.ok).toBe(false);
    expect(unreachable.check.message).toMatch(/could not be reached: connection refused/);
  });

  it("leaves the choice to the deployment when XAPI_LRS_URL is set", async () => {
    await connect();
    setEnv({ XAPI_LRS_URL: lrs.url, XAPI_LRS_USERNAME: lrs.username, XAPI_LRS_PASSWORD: lrs.password });
    try {
      expect(await refusal(connect())).toMatchObject({ code: "lrs_set_by_deployment" });
      expect(await refusal(disconnectLrs(admin, context(admin.id)))).toMatchObject({ code: "lrs_set_by_deployment" });
      expect(await lrsStatus(admin)).toMatchObject({ source: "environment", username: null, updatedByName: null });
    } finally {
      setEnv({ XAPI_LRS_USERNAME: undefined, XAPI_LRS_PASSWORD: undefined });
    }
  });

  it("keeps one consistent row when 30 saves race, and its secret opens", async () => {
    const secrets = Array.from({ length: 30 }, (_, i) => `secret-${i}`);
    const results = await Promise.all(secrets.map((password) => connect({ password })));
    expect(results.filter((r) => r.firstConnection).length).toBeGreaterThanOrEqual(1);
    const rows = await database.db().select().from(lrsSettings);
    expect(rows).toHaveLength(1);
    expect(secrets).toContain(decryptText(rows[0].secretEnc!, LRS_SECRET_CONTEXT(rows[0].connectionId)));
    expect(await audits("xapi.lrs_saved")).toHaveLength(30);
  });

  it("reports a secret that no longer opens instead of sending without it", async () => {
    await connect();
    // The sealed secret moved under another connection id (or a byte of it was changed).
    await database.db().update(lrsSettings).set({ connectionId: randomUUID() });
    forgetLrsConfig();
    expect(await lrsStatus(admin)).toMatchObject({ secretUnreadable: true });
    await completeFirstLesson("Rosa Learner");
    expect(await send()).toMatchObject({ sent: 0, retried: 1 });
    const [statement] = await database.db().select().from(xapiStatements);
    expect(statement.lastError).toMatch(/cannot be decrypted/);
    expect(lrs.requests.filter((r) => r.method === "PUT")).toHaveLength(0);
  });

  it("disconnects: nothing new is queued, what waits stays queued, and a second disconnect is refused", async () => {
    await connect();
    await completeFirstLesson("Sami Learner");
    await disconnectLrs(admin, context(admin.id));
    expect(await row()).toBeUndefined();
    expect(await send()).toEqual({ sent: 0, retried: 0, failed: 0 });
    expect(await database.db().select().from(xapiStatements)).toHaveLength(1);
    await completeFirstLesson("Tao Learner");
    expect(await database.db().select().from(xapiStatements)).toHaveLength(1);
    expect(await refusal(disconnectLrs(admin, context(admin.id)))).toMatchObject({ code: "lrs_not_connected" });
    expect((await audits("xapi.lrs_disconnected"))[0].data).toEqual({ endpoint: lrs.url });

    await connect();
    expect(await send()).toMatchObject({ sent: 1 });
  });

  it("re-queues each failed statement once when 30 admins resend at once, and not those retention emptied", async () => {
    await connect();
    for (const name of ["Uma", "Vic", "Wen", "Xia"]) await completeFirstLesson(`${name} Learner`);
    const db = database.db();
    await db.update(xapiStatements).set({ status: "failed", attempts: MAX_ATTEMPTS, lastError: "HTTP 503" });
    const [emptied] = await db.select({ id: xapiStatements.id }).from(xapiStatements).limit(1);
    await db.update(xapiStatements).set({ statement: {} }).where(eq(xapiStatements.id, emptied.id));

    const results = await Promise.all(
      Array.from({ length: 30 }, () => resendFailedStatements(admin, context(admin.id))),
    );
    expect(results.reduce((sum, r) => sum + r.requeued, 0)).toBe(3);
    const audited = await audits("xapi.statements_requeued");
    expect(audited.reduce((sum, a) => sum + (a.data as { count: number }).count, 0)).toBe(3);
    expect(await send()).toMatchObject({ sent: 3 });
    const stillFailed = await db.select().from(xapiStatements).where(eq(xapiStatements.status, "failed"));
    expect(stillFailed.map((s) => s.id)).toEqual([emptied.id]);

    await disconnectLrs(admin, context(admin.id));
    expect(await refusal(resendFailedStatements(admin, context(admin.id)))).toMatchObject({
      code: "lrs_not_connected",
    });
  });

  it("is seen by another instance within the refresh interval", async () => {
    await connect();
    expect((await lrsConfig(database.db()))?.actor).toBe("account");
    // Another instance changes the row; this one keeps what it read until the interval passes.
    await database.db().update(lrsSettings).set({ actor: "mbox" }).where(eq(lrsSettings.id, 1));
    expect((await lrsConfig(database.db()))?.actor).toBe("account");
    const now = Date.now();
    vi.spyOn(Date, "now").mockReturnValue(now + REFRESH_MS + 1);
    expect((await lrsConfig(database.db()))?.actor).toBe("mbox");
  });
});
