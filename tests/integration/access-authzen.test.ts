import { eq, inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { GET as metadataGet } from "@/app/.well-known/authzen-configuration/route";
import { POST as evaluationPost } from "@/app/access/v1/evaluation/route";
import { POST as evaluationsPost } from "@/app/access/v1/evaluations/route";
import { GET as checkGet } from "@/app/api/v1/access/check/route";
import type { Executor } from "@/db/client";
import { accessDecisions, accessGrants, accessRevision, people, type ApiScope } from "@/db/schema";
import { createApiClient } from "@/lib/access/api-clients";
import { decideChecks } from "@/lib/access/check";
import {
  assertDecisionLogKeepsUp,
  DECISION_LOG_MAX_BACKLOG,
  DecisionLogOverloadedError,
  logDecisions,
} from "@/lib/access/decision-log";
import { checkOrReply } from "@/lib/access/listener/check-endpoint";
import { env } from "@/lib/env";

import { grantRole, satisfyRole } from "../helpers/access-fixtures";
import { withDecisionServer } from "../helpers/decision-server";
import { context, createPerson, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

/** The AuthZEN Authorization API 1.0 endpoints, following the specification's examples and its certification scenario's protocol checks. */

const database = withTestDatabase();
const listener = withDecisionServer();
const ROLE = "customer-pii-read";
const APP = "http://localhost";

async function token(scopes: ApiScope[] = ["access:check"], rateLimitPerMinute?: number) {
  const admin = viewerOf(await createPerson(database.db(), { roles: ["compliance_admin"] }));
  return (await createApiClient(admin, context(admin.id), { name: "gateway", scopes, rateLimitPerMinute })).token;
}

const headers = (t: string, extra: Record<string, string> = {}) => ({
  authorization: `Bearer ${t}`,
  "content-type": "application/json",
  ...extra,
});
const evaluation = (body: unknown, t: string, extra: Record<string, string> = {}) =>
  evaluationPost(
    new Request(`${APP}/access/v1/evaluation`, {
      method: "POST",
      headers: headers(t, extra),
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
const evaluations = (body: unknown, t: string) =>
  evaluationsPost(
    new Request(`${APP}/access/v1/evaluations`, { method: "POST", headers: headers(t), body: JSON.stringify(body) }),
  );
const ask = (user: string, role = ROLE, name = "hold") => ({
  subject: { type: "user", id: user },
  action: { name },
  resource: { type: "role", id: role },
});

async function clearedAndBlocked() {
  const db = database.db();
  const cleared = await createPerson(db);
  await satisfyRole(db, cleared.id, ROLE);
  await grantRole(db, cleared.id, ROLE);
  const blocked = await createPerson(db);
  await grantRole(db, blocked.id, ROLE);
  return { cleared, blocked };
}

async function revision(): Promise<number> {
  const [row] = await database.db().select().from(accessRevision);
  return row.revision;
}

describe("AuthZEN access evaluation", () => {
  it("answers a decision with its reasons, valid_until, revision and a decision id that names its log row", async () => {
    const { cleared, blocked } = await clearedAndBlocked();
    const t = await token();

    const allowed = await evaluation(ask(cleared.email), t);
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get("content-type")).toContain("application/json");
    const body = await allowed.json();
    expect(body).toEqual({
      decision: true,
      context: {
        reasons: [],
        valid_until: expect.any(String),
        revision: await revision(),
        decision_id: allowed.headers.get("x-decision-id"),
      },
    });
    const [row] = await database
      .db()
      .select()
      .from(accessDecisions)
      .where(eq(accessDecisions.id, Number(body.context.decision_id)));
    expect(row).toMatchObject({ personId: cleared.id, roleId: ROLE, allow: true });

    // The same decision as the API's own check; a data operation that needs the role is decided the same way.
    const check = await (
      await checkGet(
        new Request(`${APP}/api/v1/access/check?user=${cleared.email}&role=${ROLE}`, { headers: headers(t) }),
      )
    ).json();
    expect(check.valid_until).toBe(body.context.valid_until);
    const operation = await (await evaluation(ask(cleared.email, ROLE, "customer.view"), t)).json();
    expect(operation.decision).toBe(true);

    const denied = await (await evaluation(ask(blocked.email), t)).json();
    expect(denied.decision).toBe(false);
    expect(denied.context.reasons).toContain("course_missing:support-data-handling");
  });

  it("refuses what the standard calls a bad request with 400, and ignores unknown fields", async () => {
    const { cleared } = await clearedAndBlocked();
    const t = await token();
    const full = ask(cleared.email);
    const bad: unknown[] = [
      { action: full.action, resource: full.resource },
      { subject: full.subject, resource: full.resource },
      { subject: full.subject, action: full.action },
      { ...full, subject: { id: cleared.email } },
      { ...full, subject: { type: "user" } },
      { ...full, action: {} },
      { ...full, resource: { id: ROLE } },
      { ...full, resource: { type: "role" } },
      { ...full, subject: cleared.email },
      { ...full, action: { name: 123 } },
      "[]",
      "{not json",
      "",
    ];
    for (const body of bad) {
      const response = await evaluation(body, t);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect((await response.json()).error.code).toMatch(/^invalid_(request|json)$/);
    }
    const wrongType = await evaluation(full, t, { "content-type": "text/plain" });
    expect(wrongType.status).toBe(400);

    const extra = await evaluation({ ...full, foo: "bar", futureField: { nested: true } }, t);
    expect(extra.status).toBe(200);
    expect((await extra.json()).decision).toBe(true);

    // Types and actions it does not decide are a denial that says why, not a failure of the call.
    for (const [field, value, code] of [
      ["subject", { type: "service", id: "x" }, "unsupported_subject_type"],
      ["resource", { type: "record", id: "record-1" }, "unsupported_resource_type"],
      ["action", { name: "read everything" }, "unsupported_action"],
      ["resource", { type: "role", id: "no-such-role" }, "unknown_role"],
    ] as const) {
      const answer = await (await evaluation({ ...full, [field]: value }, t)).json();
      expect(answer).toMatchObject({ decision: false, context: { error: { code } } });
    }
    const stranger = await (await evaluation(ask("nobody@test.example"), t)).json();
    expect(stranger).toMatchObject({ decision: false, context: { error: { status: 404, code: "unknown_user" } } });
  });

  it("echoes X-Request-ID, makes one up when absent, gives the same decision each time, and needs a token", async () => {
    const { cleared } = await clearedAndBlocked();
    const t = await token();
    const echoed = await evaluation(ask(cleared.email), t, { "x-request-id": "bfe9eb29-ab87-4ca3-be83-a1d5d8305716" });
    expect(echoed.headers.get("x-request-id")).toBe("bfe9eb29-ab87-4ca3-be83-a1d5d8305716");
    const made = await evaluation(ask(cleared.email), t);
    expect(made.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const decisions = await Promise.all(
      Array.from({ length: 5 }, async () => (await (await evaluation(ask(cleared.email), t)).json()).decision),
    );
    expect(decisions).toEqual([true, true, true, true, true]);

    const none = await evaluationPost(
      new Request(`${APP}/access/v1/evaluation`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(ask(cleared.email)),
      }),
    );
    expect(none.status).toBe(401);
    expect((await evaluation(ask(cleared.email), await token(["access:read"]))).status).toBe(403);
  });

  it("gives 30 concurrent evaluations 30 log rows, each with the decision id it returned", async () => {
    const { cleared, blocked } = await clearedAndBlocked();
    const t = await token();
    const people30 = Array.from({ length: 30 }, (_, i) => (i % 3 ? cleared : blocked));
    const answers = await Promise.all(people30.map(async (p) => (await evaluation(ask(p.email), t)).json()));
    const ids = answers.map((a) => Number(a.context.decision_id));
    expect(new Set(ids).size).toBe(30);
    const rows = await database.db().select().from(accessDecisions).where(inArray(accessDecisions.id, ids));
    const byId = new Map(rows.map((r) => [r.id, r]));
    answers.forEach((a, i) => {
      const row = byId.get(ids[i])!;
      expect(row.personId).toBe(people30[i].id);
      expect(row.allow).toBe(a.decision);
    });
  });
});

describe("AuthZEN access evaluations", () => {
  it("merges top-level defaults, answers in order, and fails one evaluation without failing the call", async () => {
    const { cleared, blocked } = await clearedAndBlocked();
    const t = await token();
    const response = await evaluations(
      {
        subject: { type: "user", id: cleared.email },
        action: { name: "hold" },
        options: { evaluations_semantic: "execute_all" },
        evaluations: [
          { resource: { type: "role", id: ROLE } },
          {},
          { subject: { type: "user", id: blocked.email }, resource: { type: "role", id: ROLE } },
          { resource: { type: "role", id: "backup-restore-operator" } },
          42,
        ],
      },
      t,
    );
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.decision).toBeUndefined();
    expect(body.evaluations.map((e: { decision: boolean }) => e.decision)).toEqual([true, false, false, false, false]);
    expect(body.evaluations[1].context.error).toMatchObject({ status: 400, code: "invalid_request" });
    expect(body.evaluations[1].context.error.message).toContain("resource");
    expect(body.evaluations[2].context.reasons).toContain("course_missing:support-data-handling");
    expect(body.evaluations[3].context.reasons).toContain("no_grant");
    expect(body.evaluations[4].context.error.code).toBe("invalid_request");
    // A failed item is not a decision: nothing is logged for it.
    const logged = await database.db().select().from(accessDecisions).where(eq(accessDecisions.subject, cleared.email));
    expect(logged.length).toBe(2);
  });

  it("without evaluations, or with an empty list, is a single evaluation; a bad top level is still a 400", async () => {
    const { cleared } = await clearedAndBlocked();
    const t = await token();
    for (const body of [ask(cleared.email), { ...ask(cleared.email), evaluations: [] }]) {
      const response = await evaluations(body, t);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ decision: true, context: { reasons: [] } });
    }
    expect((await evaluations({ evaluations: [] }, t)).status).toBe(400);
    expect((await evaluations({ ...ask(cleared.email), evaluations: "all" }, t)).status).toBe(400);
    expect((await evaluations({ ...ask(cleared.email), options: { evaluations_semantic: "some" } }, t)).status).toBe(
      400,
    );
  });

  it("stops at the first deny or permit when asked, and logs only what it returned", async () => {
    const { cleared, blocked } = await clearedAndBlocked();
    const t = await token();
    const order = [cleared, blocked, cleared, cleared];
    const list = order.map((p) => ({ subject: { type: "user", id: p.email } }));
    const base = { action: { name: "hold" }, resource: { type: "role", id: ROLE }, evaluations: list };

    const before = await database
      .db()
      .select({ n: sql<number>`count(*)::int` })
      .from(accessDecisions);
    const deny = await (
      await evaluations({ ...base, options: { evaluations_semantic: "deny_on_first_deny" } }, t)
    ).json();
    expect(deny.evaluations.map((e: { decision: boolean }) => e.decision)).toEqual([true, false]);
    const permit = await (
      await evaluations(
        { ...base, evaluations: list.slice(1), options: { evaluations_semantic: "permit_on_first_permit" } },
        t,
      )
    ).json();
    expect(permit.evaluations.map((e: { decision: boolean }) => e.decision)).toEqual([false, true]);
    const after = await database
      .db()
      .select({ n: sql<number>`count(*)::int` })
      .from(accessDecisions);
    expect(after[0].n - before[0].n).toBe(4);
  });

  it("answers up to 10,000 evaluations, streamed in order with every one logged, and refuses 10,001", async () => {
    const { cleared, blocked } = await clearedAndBlocked();
    const t = await token();
    const n = 2_500;
    const list = Array.from({ length: n }, (_, i) => ({
      subject: { type: "user", id: (i % 7 ? cleared : blocked).email },
    }));
    const response = await evaluations(
      { action: { name: "hold" }, resource: { type: "role", id: ROLE }, evaluations: list },
      t,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = await response.json();
    expect(body.evaluations).toHaveLength(n);
    body.evaluations.forEach((e: { decision: boolean }, i: number) => expect(e.decision).toBe(i % 7 !== 0));
    const ids = body.evaluations.map((e: { context: { decision_id: string } }) => Number(e.context.decision_id));
    expect(new Set(ids).size).toBe(n);
    const [{ n: logged }] = await database
      .db()
      .select({ n: sql<number>`count(*)::int` })
      .from(accessDecisions)
      .where(inArray(accessDecisions.personId, [cleared.id, blocked.id]));
    expect(logged).toBe(n);

    const tooMany = await evaluations(
      { ...ask(cleared.email), evaluations: Array.from({ length: 10_001 }, () => ({})) },
      t,
    );
    expect(tooMany.status).toBe(400);
    expect((await tooMany.json()).error.message).toContain("10,000");
  });
});

describe("freshness: revisions, min_revision and caching", () => {
  it("advances the revision once per committed change to what decides, not for other writes or rolled-back ones", async () => {
    const db = database.db();
    const person = await createPerson(db);
    const start = await revision();
    await db.update(people).set({ name: "Renamed" }).where(eq(people.id, person.id));
    expect(await revision()).toBe(start);

    const grantId = await grantRole(db, person.id, ROLE);
    const afterGrant = await revision();
    expect(afterGrant).toBeGreaterThan(start);

    await db
      .transaction(async (tx) => {
        await tx
          .update(accessGrants)
          .set({ status: "revoked", revokedAt: new Date() })
          .where(eq(accessGrants.id, grantId));
        throw new Error("rolled back");
      })
      .catch(() => undefined);
    expect(await revision()).toBe(afterGrant);

    await db.update(people).set({ status: "suspended" }).where(eq(people.id, person.id));
    expect(await revision()).toBeGreaterThan(afterGrant);
  });

  it("answers at least as fresh as min_revision, and 425 with Retry-After for a revision not reached", async () => {
    const { cleared } = await clearedAndBlocked();
    const t = await token();
    const current = await revision();
    const fresh = await (await evaluation({ ...ask(cleared.email), context: { min_revision: current } }, t)).json();
    expect(fresh.context.revision).toBeGreaterThanOrEqual(current);

    const ahead = await evaluation({ ...ask(cleared.email), context: { min_revision: current + 1_000_000 } }, t);
    expect(ahead.status).toBe(425);
    expect(ahead.headers.get("retry-after")).toBe("1");
    expect((await ahead.json()).error.code).toBe("revision_not_reached");
    const viaCheck = await checkGet(
      new Request(`${APP}/api/v1/access/check?user=${cleared.email}&role=${ROLE}&min_revision=${current + 1_000_000}`, {
        headers: headers(t),
      }),
    );
    expect(viaCheck.status).toBe(425);
    expect((await evaluation({ ...ask(cleared.email), context: { min_revision: -1 } }, t)).status).toBe(400);

    // A revision reached by a change made meanwhile is waited for, not refused.
    const later = database.db().update(people).set({ status: "suspended" }).where(eq(people.id, cleared.id));
    const [answer] = await Promise.all([
      (async () => {
        await new Promise((r) => setTimeout(r, 5));
        return evaluation({ ...ask(cleared.email), context: { min_revision: current + 1 } }, t);
      })(),
      later,
    ]);
    expect(answer.status).toBe(200);
    expect((await answer.json()).context.reasons).toContain("account_inactive");
  });

  it("lets an allowed answer be cached no longer than its valid_until or ACCESS_CACHE_SECONDS, and never a denial", async () => {
    const db = database.db();
    const soon = await createPerson(db);
    await satisfyRole(db, soon.id, ROLE);
    await grantRole(db, soon.id, ROLE, new Date(), new Date(Date.now() + 10_000));
    const { cleared, blocked } = await clearedAndBlocked();
    const t = await token();
    const maxAge = (r: Response) => Number(/max-age=(\d+)/.exec(r.headers.get("cache-control") ?? "")?.[1]);

    const long = await evaluation(ask(cleared.email), t);
    expect(long.headers.get("cache-control")).toBe(`private, max-age=${env().ACCESS_CACHE_SECONDS}`);
    const short = await evaluation(ask(soon.email), t);
    expect(maxAge(short)).toBeGreaterThan(0);
    expect(maxAge(short)).toBeLessThanOrEqual(10);
    expect((await evaluation(ask(blocked.email), t)).headers.get("cache-control")).toBe("no-store");
    const mixed = await evaluations(
      {
        action: { name: "hold" },
        resource: { type: "role", id: ROLE },
        evaluations: [
          { subject: { type: "user", id: cleared.email } },
          { subject: { type: "user", id: blocked.email } },
        ],
      },
      t,
    );
    expect(mixed.headers.get("cache-control")).toBe("no-store");
  });
});

describe("backpressure", () => {
  it("refuses checks with 503 and Retry-After while the decision log has a long backlog, instead of answering unlogged", async () => {
    const hanging = { execute: () => new Promise(() => undefined) } as unknown as Executor;
    const row = {
      at: new Date(),
      clientId: null,
      personId: null,
      subject: "x",
      roleId: ROLE,
      allow: false,
      reasons: [],
    };
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    // Two writes that never finish take both write slots; what comes after waits.
    void logDecisions(hanging, [row]);
    await turn();
    void logDecisions(hanging, [row]);
    await turn();
    void logDecisions(
      hanging,
      Array.from({ length: 30 }, () => row),
    );
    await turn();
    expect(() => assertDecisionLogKeepsUp(hanging, 30)).toThrow(DecisionLogOverloadedError);
    expect(() => assertDecisionLogKeepsUp(hanging, 31)).not.toThrow();
    void logDecisions(
      hanging,
      Array.from({ length: DECISION_LOG_MAX_BACKLOG }, () => row),
    );
    const refused = await checkOrReply(async () => decideChecks(hanging, [{ user: "x@test.example", role: ROLE }]));
    expect(refused).toMatchObject({ ok: false, reply: { status: 503, headers: { "Retry-After": "1" } } });
  });
});

describe("AuthZEN on the decision listener, and metadata", () => {
  it("answers evaluations on the listener as the app does, with the same protocol errors", async () => {
    const { cleared, blocked } = await clearedAndBlocked();
    const t = await token();
    const post = (path: string, body: string, extra: Record<string, string> = {}) =>
      fetch(`${listener()}${path}`, { method: "POST", headers: headers(t, extra), body });

    const one = await post("/access/v1/evaluation", JSON.stringify(ask(cleared.email)), { "x-request-id": "req-1" });
    expect(one.status).toBe(200);
    expect(one.headers.get("x-request-id")).toBe("req-1");
    const body = await one.json();
    expect(one.headers.get("x-decision-id")).toBe(body.context.decision_id);
    const viaApp = await (await evaluation(ask(cleared.email), t)).json();
    expect({ ...body.context, decision_id: 0, revision: 0 }).toEqual({
      ...viaApp.context,
      decision_id: 0,
      revision: 0,
    });

    expect((await post("/access/v1/evaluation", "{not json")).status).toBe(400);
    expect(
      (await post("/access/v1/evaluation", JSON.stringify(ask(cleared.email)), { "content-type": "text/plain" }))
        .status,
    ).toBe(400);
    const wrongMethod = await fetch(`${listener()}/access/v1/evaluations`, { headers: headers(t) });
    expect(wrongMethod.status).toBe(405);

    const n = 1_500;
    const many = await post(
      "/access/v1/evaluations",
      JSON.stringify({
        resource: { type: "role", id: ROLE },
        action: { name: "hold" },
        evaluations: Array.from({ length: n }, (_, i) => ({
          subject: { type: "user", id: (i % 2 ? blocked : cleared).id },
        })),
      }),
    );
    const streamed = await many.json();
    expect(streamed.evaluations).toHaveLength(n);
    streamed.evaluations.forEach((e: { decision: boolean }, i: number) => expect(e.decision).toBe(i % 2 === 0));
  });

  it("publishes where the endpoints are, on the app and on the listener", async () => {
    const app = await metadataGet(new Request(`${APP}/.well-known/authzen-configuration`));
    expect(app.status).toBe(200);
    const base = env().APP_URL.replace(/\/+$/, "");
    expect(await app.json()).toEqual({
      policy_decision_point: base,
      access_evaluation_endpoint: `${base}/access/v1/evaluation`,
      access_evaluations_endpoint: `${base}/access/v1/evaluations`,
    });
    const own = await (await fetch(`${listener()}/.well-known/authzen-configuration`)).json();
    expect(own.access_evaluations_endpoint).toBe(`${own.policy_decision_point}/access/v1/evaluations`);
  });
});
