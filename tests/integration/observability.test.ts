import { Writable } from "node:stream";

import { NextRequest } from "next/server";
import { afterAll, afterEach, describe, expect, it } from "vitest";

import { GET as checkGet } from "@/app/api/v1/access/check/route";
import { GET as metricsGet } from "@/app/metrics/route";
import { createApiClient } from "@/lib/access/api-clients";
import { resetEnvForTests } from "@/lib/env";
import { observed } from "@/lib/http/observe";
import { createLogger, log, setLoggerForTests } from "@/lib/log";
import { proxy } from "@/proxy";

import { grantRole, satisfyRole } from "../helpers/access-fixtures";
import { withDecisionServer } from "../helpers/decision-server";
import { context, createPerson, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
const decisionOrigin = withDecisionServer();
const ROLE = "customer-pii-read";
const METRICS_TOKEN = "metrics-token-for-tests-0123456789";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The value of the first sample of `name` whose labels include `labels`, or null. */
function sample(text: string, name: string, labels: Record<string, string>): number | null {
  for (const line of text.split("\n")) {
    const match = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const has = Object.fromEntries([...match[2].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => has[k] === v)) return Number(match[3]);
  }
  return null;
}

const scrape = (authorization?: string) =>
  metricsGet(new Request("http://localhost/metrics", { headers: authorization ? { authorization } : {} }));

async function apiToken() {
  const admin = viewerOf(await createPerson(database.db(), { roles: ["compliance_admin"] }));
  return (await createApiClient(admin, context(admin.id), { name: "metrics test", scopes: ["access:check"] })).token;
}

afterAll(() => {
  delete process.env.METRICS_TOKEN;
  resetEnvForTests();
  setLoggerForTests(undefined);
});

describe("/metrics", () => {
  afterEach(() => {
    delete process.env.METRICS_TOKEN;
    resetEnvForTests();
  });

  it("is a JSON 404 while METRICS_TOKEN is unset", async () => {
    const response = await scrape(`Bearer ${METRICS_TOKEN}`);
    expect(response.status).toBe(404);
    expect((await response.json()).error.code).toBe("not_found");
  });

  it("is a JSON 401 without the token or with a wrong one", async () => {
    process.env.METRICS_TOKEN = METRICS_TOKEN;
    resetEnvForTests();
    for (const authorization of [
      undefined,
      METRICS_TOKEN,
      `Basic ${METRICS_TOKEN}`,
      `Bearer ${METRICS_TOKEN}x`,
      `Bearer ${METRICS_TOKEN.slice(1)}`,
      "Bearer ",
    ]) {
      const response = await scrape(authorization);
      expect(response.status, String(authorization)).toBe(401);
      expect((await response.json()).error.code).toBe("unauthenticated");
    }
  });

  it("serves every metric, with the access checks just answered by the app and by the decision listener", async () => {
    process.env.METRICS_TOKEN = METRICS_TOKEN;
    resetEnvForTests();
    const db = database.db();
    const cleared = await createPerson(db);
    await satisfyRole(db, cleared.id, ROLE);
    await grantRole(db, cleared.id, ROLE);
    const denied = await createPerson(db);
    const token = await apiToken();
    const ask = (user: string) =>
      checkGet(
        new Request(`http://localhost/api/v1/access/check?user=${user}&role=${ROLE}`, {
          headers: { authorization: `Bearer ${token}` },
        }),
      );
    expect((await ask(cleared.id)).status).toBe(200);
    expect((await (await ask(denied.id)).json()).allow).toBe(false);
    const listener = await fetch(`${decisionOrigin()}/api/v1/access/check?user=${cleared.id}&role=${ROLE}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(listener.status).toBe(200);
    const response = await scrape(`Bearer ${METRICS_TOKEN}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await response.text();
    for (const name of [
      "http_request_duration_seconds",
      "access_decisions_total",
      "access_facts_pairs_total",
      "decision_log_write_seconds",
      "outbox_queue_depth",
      "outbox_failures_total",
      "scheduler_run_seconds",
      "signin_failures_total",
      "signin_lockouts_total",
      "db_pool_max",
      "db_pool_connections",
      "process_cpu_seconds_total",
    ])
      expect(text, name).toContain(`# TYPE ${name} `);
    expect(sample(text, "access_decisions_total", { result: "allow", reason: "none" })).toBeGreaterThanOrEqual(2);
    expect(sample(text, "access_decisions_total", { result: "deny", reason: "no_grant" })).toBeGreaterThanOrEqual(1);
    // The cleared person was asked about twice: read the first time, held by the facts cache the second.
    expect(sample(text, "access_facts_pairs_total", { source: "read" })).toBeGreaterThanOrEqual(2);
    expect(sample(text, "access_facts_pairs_total", { source: "held" })).toBeGreaterThanOrEqual(1);
    const check = { route: "/api/v1/access/check", method: "GET", status: "200" };
    expect(sample(text, "http_request_duration_seconds_count", { ...check, server: "app" })).toBeGreaterThanOrEqual(2);
    expect(
      sample(text, "http_request_duration_seconds_count", { ...check, server: "listener" }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, "http_request_duration_seconds_count", { route: "/metrics", status: "401" }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(text, "decision_log_write_seconds_count", {})).toBeGreaterThanOrEqual(3);
    expect(sample(text, "outbox_queue_depth", { queue: "email" })).toBe(0);
    expect(sample(text, "outbox_queue_depth", { queue: "webhook" })).toBe(0);
    expect(sample(text, "db_pool_max", { driver: database.driver() })).toBe(database.driver() === "postgres" ? 10 : 1);
    if (database.driver() === "postgres")
      expect(sample(text, "db_pool_connections", { state: "active" })).toBeGreaterThanOrEqual(1);
    // Labels are codes and templates: no person's id or address.
    expect(text).not.toContain(cleared.id);
    expect(text).not.toContain("@");
  });
});

describe("request ids", () => {
  const withId = (id?: string) =>
    new Request(`http://localhost/api/v1/access/check?user=nobody&role=${ROLE}`, {
      headers: id === undefined ? {} : { "x-request-id": id },
    });

  it("echoes a well-formed X-Request-Id and replaces anything else with a new UUID", async () => {
    const kept = ["bfe9eb29-ab87-4ca3-be83-a1d5d8305716", "req-1", "gw:7f3a.01_x", "a".repeat(128)];
    for (const id of kept) expect((await checkGet(withId(id))).headers.get("x-request-id")).toBe(id);
    const replaced = [
      undefined,
      "",
      "ana.silva@brightline.example",
      "has space",
      "a".repeat(129),
      "-starts-with-dash",
      "Bearer abc",
      "ünïcode",
    ];
    for (const id of replaced) {
      const echoed = (await checkGet(withId(id))).headers.get("x-request-id");
      expect(echoed, String(id)).toMatch(UUID);
    }
  });

  it("the decision listener echoes or makes one too, on every answer", async () => {
    const ok = await fetch(`${decisionOrigin()}/api/health`, { headers: { "x-request-id": "probe-1" } });
    expect(ok.headers.get("x-request-id")).toBe("probe-1");
    const refused = await fetch(`${decisionOrigin()}/api/v1/access/check`, {
      headers: { "x-request-id": "x@y.example" },
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("x-request-id")).toMatch(UUID);
    const notFound = await fetch(`${decisionOrigin()}/nothing-here`);
    expect(notFound.headers.get("x-request-id")).toMatch(UUID);
  });

  it("proxy.ts gives pages an id, forwards it to the app and echoes it", () => {
    const kept = proxy(new NextRequest("http://localhost/dashboard", { headers: { "x-request-id": "page-42" } }));
    expect(kept.headers.get("x-request-id")).toBe("page-42");
    expect(kept.headers.get("x-middleware-request-x-request-id")).toBe("page-42");
    const made = proxy(new NextRequest("http://localhost/dashboard", { headers: { "x-request-id": "a b" } }));
    const id = made.headers.get("x-request-id");
    expect(id).toMatch(UUID);
    expect(made.headers.get("x-middleware-request-x-request-id")).toBe(id);
  });

  it("every line logged while a route handler runs carries the request's id", async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split("\n").filter(Boolean));
        done();
      },
    });
    setLoggerForTests(createLogger({ destination: destination as never }));
    const handler = observed("/test", async () => {
      log().info("before");
      await new Promise((resolve) => setTimeout(resolve, 5));
      log().info("after an await");
      return new Response("ok");
    });
    const response = await handler(new Request("http://localhost/test", { headers: { "x-request-id": "trace-9" } }));
    expect(response.headers.get("x-request-id")).toBe("trace-9");
    log().info("outside");
    setLoggerForTests(undefined);
    const parsed = lines.map((l) => JSON.parse(l));
    expect(parsed.map((l) => [l.msg, l.requestId])).toEqual([
      ["before", "trace-9"],
      ["after an await", "trace-9"],
      ["outside", undefined],
    ]);
  });
});
