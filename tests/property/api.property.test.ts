import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { POST as tickPost } from "@/app/api/cron/tick/route";
import { GET as healthGet } from "@/app/api/health/route";
import { GET as checkGet, POST as checkPost } from "@/app/api/v1/access/check/route";
import { GET as holdersGet } from "@/app/api/v1/access/holders/route";
import { GET as checkpointsGet } from "@/app/api/v1/audit/checkpoints/route";
import { POST as eventsPost } from "@/app/api/v1/events/route";
import { GET as openApiGet } from "@/app/api/v1/openapi.json/route";
import { POST as verifyPost } from "@/app/api/v1/verify/route";
import { POST as uploadPost } from "@/app/verify/upload/route";
import type { ApiScope } from "@/db/schema";
import { createApiClient, revokeApiClient } from "@/lib/access/api-clients";
import { batchCheckBody, checkQuery, eventsBody, holdersQuery } from "@/lib/access/api-schemas";
import { accessRoles } from "@/lib/access/facts";
import { MAX_VERIFY_UPLOAD_BYTES, UPLOAD_MESSAGES } from "@/lib/agreements/verify-limits";
import { checkpointsQuery } from "@/lib/audit/checkpoint-api";
import { createAuditCheckpoint } from "@/lib/audit/checkpoints";
import { resetEnvForTests } from "@/lib/env";
import { API_BODY_MAX_BYTES } from "@/lib/http/api";

import { grantRole, satisfyRole } from "../helpers/access-fixtures";
import { rawRequest, withDecisionServer } from "../helpers/decision-server";
import { context, createPerson, viewerOf } from "../helpers/factories";
import { scimRaw } from "../helpers/scim";
import { withTestDatabase } from "../helpers/test-database";
import {
  anyBytes,
  anyJson,
  anyText,
  contentType,
  headerValue,
  hugeText,
  jsonWithKeys,
  malformedJson,
  queryString,
  RUNS,
  TIMEOUT,
} from "./arbitraries";
import { watchTables, type TableState } from "./table-state";

const database = withTestDatabase();
const tables = watchTables(database.db);
const BASE = "http://localhost";

type Tokens = Record<ApiScope, string> & { revoked: string };
let tokens: Tokens;
const people: { emails: string[]; ids: string[] } = { emails: [], ids: [] };
const roleIds = () => accessRoles().map((r) => r.id);

beforeAll(async () => {
  const db = database.db();
  const admin = viewerOf(await createPerson(db, { roles: ["compliance_admin"] }));
  const token = async (scope: ApiScope) =>
    (
      await createApiClient(admin, context(admin.id), {
        name: `client ${scope}`,
        scopes: [scope],
        rateLimitPerMinute: 100_000,
      })
    ).token;
  const revoked = await createApiClient(admin, context(admin.id), {
    name: "revoked",
    scopes: ["access:check", "access:read", "events:write", "audit:read"],
  });
  await revokeApiClient(admin, context(admin.id), revoked.id);
  tokens = {
    "access:check": await token("access:check"),
    "access:read": await token("access:read"),
    "events:write": await token("events:write"),
    "audit:read": await token("audit:read"),
    scim: await token("scim"),
    revoked: revoked.token,
  };
  for (let i = 0; i < 3; i++) await createAuditCheckpoint(db, { trigger: "manual", requestedBy: context(admin.id) });
  for (const name of ["Ana Silva", "李华", "José Ñúñez"]) {
    const person = await createPerson(db, { name });
    await satisfyRole(db, person.id, "customer-pii-read");
    await grantRole(db, person.id, "customer-pii-read");
    people.emails.push(person.email);
    people.ids.push(person.id);
  }
});

/** Who is calling: mostly a valid token, otherwise every way of being wrong about it. */
type Auth = { kind: "valid" | "revoked" | "other-scope" | "none" } | { kind: "raw"; value: string };
const auth: fc.Arbitrary<Auth> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ kind: "valid" as const }) },
  { weight: 1, arbitrary: fc.constantFrom<Auth>({ kind: "revoked" }, { kind: "other-scope" }, { kind: "none" }) },
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        headerValue,
        headerValue.map((v) => `Bearer ${v}`),
        fc.constantFrom("Bearer", "Bearer ", "bearer clr_", "Basic dXNlcjpwYXNz", "Bearer clr_x y"),
      )
      .map((value): Auth => ({ kind: "raw", value })),
  },
);

function authorization(a: Auth, scope: ApiScope): string | undefined {
  if (a.kind === "valid") return `Bearer ${tokens[scope]}`;
  if (a.kind === "revoked") return `Bearer ${tokens.revoked}`;
  if (a.kind === "other-scope") return `Bearer ${tokens[scope === "access:check" ? "events:write" : "access:check"]}`;
  if (a.kind === "raw") return a.value;
  return undefined;
}

/** The status withApiClient gives a caller that is not let through, or null when it is. */
function authFailure(a: Auth): number | null {
  if (a.kind === "valid") return null;
  return a.kind === "other-scope" ? 403 : 401;
}

type Body = string | Uint8Array | FormData | undefined;

function request(
  method: "GET" | "POST",
  path: string,
  options: {
    authorization?: string;
    contentType?: string;
    contentLength?: string;
    forwardedFor?: string;
    body?: Body;
  } = {},
) {
  const headers = new Headers();
  if (options.authorization !== undefined) headers.set("authorization", options.authorization);
  if (options.contentType !== undefined) headers.set("content-type", options.contentType);
  if (options.contentLength !== undefined) headers.set("content-length", options.contentLength);
  if (options.forwardedFor !== undefined) headers.set("x-forwarded-for", options.forwardedFor);
  return new Request(`${BASE}${path}`, { method, headers, body: options.body as BodyInit | undefined });
}

/** What the server reads back from a body: UTF-8 decoded, lone surrogates replaced, a byte-order mark dropped. */
function receivedText(body: Body): string {
  if (body === undefined || body instanceof FormData) return "";
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  return new TextDecoder().decode(bytes);
}

/**
 * Every answer is below 500; every rejection is a JSON `{ error: { code, message } }`
 * and leaves every table as it was. `readOnly` endpoints change nothing even when they accept.
 */
async function expectWellFormed(response: Response, before: TableState, options: { readOnly?: boolean } = {}) {
  expect(response.status).toBeGreaterThanOrEqual(200);
  expect(response.status).toBeLessThan(500);
  if (response.status >= 400) {
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const body = await response.clone().json();
    // A batch of events that all name unknown people or roles is a 404 with its results, as the OpenAPI document says.
    if (response.status === 404 && Array.isArray(body.results))
      expect(body).toEqual({
        accepted: 0,
        results: body.results.map(() =>
          expect.objectContaining({
            id: null,
            error: expect.objectContaining({ code: expect.stringMatching(/^unknown_(user|role)$/) }),
          }),
        ),
      });
    else
      expect(body).toEqual({
        error: expect.objectContaining({
          code: expect.stringMatching(/^[a-z_]+$/),
          message: expect.stringMatching(/\S/),
        }),
      });
  }
  if (response.status >= 400 || options.readOnly) await tables.rejected(before);
  else tables.accepted();
}

const userRef = fc.oneof(
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 2 }).map((i) => people.emails[i]) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 }).map((i) => people.ids[i].toUpperCase()) },
  { weight: 1, arbitrary: fc.emailAddress() },
  { weight: 1, arbitrary: fc.uuid() },
  { weight: 2, arbitrary: anyText },
);
const roleRef = fc.oneof(
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 100 }).map((i) => roleIds()[i % roleIds().length]) },
  { weight: 1, arbitrary: anyText },
);

/** A JSON body: valid-shaped with random values, objects with the right keys and wrong values, any JSON, malformed text or bytes. */
function jsonBody(validShape: fc.Arbitrary<unknown>, keys: string[]): fc.Arbitrary<string | Uint8Array> {
  return fc.oneof(
    { weight: 3, arbitrary: validShape.map((v) => JSON.stringify(v)) },
    { weight: 2, arbitrary: jsonWithKeys(keys).map((v) => JSON.stringify(v)) },
    { weight: 2, arbitrary: anyJson.map((v) => JSON.stringify(v)) },
    { weight: 2, arbitrary: malformedJson },
    { weight: 1, arbitrary: anyBytes },
    {
      weight: 1,
      arbitrary: hugeText.map((t) =>
        JSON.stringify({ checks: [{ user: t, role: "customer-pii-read" }], events: [{ user: t }] }),
      ),
    },
  );
}

/** Instants at the edges of what PostgreSQL stores, written with offsets that carry them past it. */
const edgeOfStorableRange = fc
  .tuple(
    fc.constantFrom(
      "0000-01-01T00:00:00",
      "0000-12-31T23:59:59",
      "0001-01-01T00:00:00",
      "9999-12-31T23:59:59",
      "9999-12-31T10:00:00",
    ),
    fc.constantFrom("Z", "+14:00", "-14:00", "+00:01", "-00:01", ".999Z", ".999-00:01"),
  )
  .map(([local, offset]) => `${local}${offset}`);

const lyingLength = fc.option(fc.oneof(headerValue, fc.constantFrom("0", "1", "262145", "1048577", "99999999999")), {
  nil: undefined,
});

describe("API endpoints under random input", () => {
  it(
    "GET /api/v1/access/check answers every query with a decision, a 404 for unknowns, or a JSON 4xx",
    async () => {
      const validQuery = fc
        .record({ user: userRef, role: roleRef })
        .map(
          ({ user, role }) =>
            `?user=${encodeURIComponent(user.replace(/[\uD800-\uDFFF]/g, "\uFFFD"))}&role=${encodeURIComponent(role.replace(/[\uD800-\uDFFF]/g, "\uFFFD"))}`,
        );
      await fc.assert(
        fc.asyncProperty(auth, fc.oneof(validQuery, queryString(["user", "role"])), async (who, query) => {
          const url = new URL(`${BASE}/api/v1/access/check${query}`);
          const before = await tables.before();
          const response = await checkGet(
            request("GET", `/api/v1/access/check${query}`, { authorization: authorization(who, "access:check") }),
          );
          await expectWellFormed(response, before);
          const failure = authFailure(who);
          if (failure) return void expect(response.status).toBe(failure);
          const valid = checkQuery.safeParse(Object.fromEntries(url.searchParams)).success;
          expect(valid ? [200, 404] : [400]).toContain(response.status);
          if (response.status === 200)
            expect(await response.json()).toEqual({
              allow: expect.any(Boolean),
              reasons: expect.any(Array),
              valid_until: expect.toSatisfy((v) => v === null || typeof v === "string"),
              revision: expect.any(Number),
              decision_id: expect.stringMatching(/^\d+$/),
            });
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    "POST /api/v1/access/check accepts exactly the bodies its schema accepts",
    async () => {
      const check = fc.record({ user: userRef, role: roleRef });
      const validShape = fc.record({ checks: fc.array(check, { minLength: 1, maxLength: 5 }) });
      await fc.assert(
        fc.asyncProperty(
          auth,
          jsonBody(validShape, ["checks", "user", "role"]),
          fc.option(contentType, { nil: undefined }),
          lyingLength,
          async (who, body, type, length) => {
            const before = await tables.before();
            const response = await checkPost(
              request("POST", "/api/v1/access/check", {
                authorization: authorization(who, "access:check"),
                contentType: type,
                contentLength: length,
                body,
              }),
            );
            await expectWellFormed(response, before);
            const failure = authFailure(who);
            if (failure) return void expect(response.status).toBe(failure);
            expect(
              expectedJsonStatuses(body, length, 256 * 1024, (v) => batchCheckBody.safeParse(v).success, [200]),
            ).toContain(response.status);
          },
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    "GET /api/v1/access/holders answers JSON or CSV for a role, 404 for an unknown one, or a JSON 4xx",
    async () => {
      const validQuery = fc
        .record({ role: roleRef, format: fc.constantFrom("json", "csv", "") })
        .map(
          ({ role, format }) =>
            `?role=${encodeURIComponent(role.replace(/[\uD800-\uDFFF]/g, "\uFFFD"))}${format ? `&format=${format}` : ""}`,
        );
      await fc.assert(
        fc.asyncProperty(
          auth,
          fc.oneof(
            validQuery,
            queryString(["role", "format"], fc.oneof(anyText, fc.constantFrom("csv", "json", "CSV"))),
          ),
          async (who, query) => {
            const before = await tables.before();
            const url = new URL(`${BASE}/api/v1/access/holders${query}`);
            const response = await holdersGet(
              request("GET", `/api/v1/access/holders${query}`, { authorization: authorization(who, "access:read") }),
            );
            await expectWellFormed(response, before, { readOnly: true });
            const failure = authFailure(who);
            if (failure) return void expect(response.status).toBe(failure);
            const parsed = holdersQuery.safeParse(Object.fromEntries(url.searchParams));
            expect(parsed.success ? [200, 404] : [400]).toContain(response.status);
            if (response.status === 200)
              expect(response.headers.get("content-type")).toMatch(
                parsed.data?.format === "csv" ? /^text\/csv/ : /^application\/json/,
              );
          },
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    "GET /api/v1/audit/checkpoints pages through signed checkpoints, or answers a JSON 4xx, and writes nothing",
    async () => {
      const validQuery = fc
        .record({
          after: fc.oneof(fc.nat({ max: 5 }), fc.constant(Number.MAX_SAFE_INTEGER)),
          limit: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
        })
        .map(({ after, limit }) => `?after=${after}${limit === undefined ? "" : `&limit=${limit}`}`);
      const numberish = fc.oneof(
        anyText,
        fc.constantFrom("0", "-1", "1.5", "1e3", "101", "9007199254740993", "0x10", " 2", ""),
      );
      await fc.assert(
        fc.asyncProperty(auth, fc.oneof(validQuery, queryString(["after", "limit"], numberish)), async (who, query) => {
          const before = await tables.before();
          const url = new URL(`${BASE}/api/v1/audit/checkpoints${query}`);
          const response = await checkpointsGet(
            request("GET", `/api/v1/audit/checkpoints${query}`, { authorization: authorization(who, "audit:read") }),
          );
          await expectWellFormed(response, before, { readOnly: true });
          const failure = authFailure(who);
          if (failure) return void expect(response.status).toBe(failure);
          const parsed = checkpointsQuery.safeParse(Object.fromEntries(url.searchParams));
          expect(response.status).toBe(parsed.success ? 200 : 400);
          if (!parsed.success) return;
          const body = await response.json();
          expect(body.checkpoints.length).toBeLessThanOrEqual(parsed.data.limit);
          for (const c of body.checkpoints)
            expect(c).toMatchObject({
              id: expect.any(Number),
              head_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
              file: { statement: { headId: c.head_id }, certificate: expect.stringContaining("BEGIN CERTIFICATE") },
            });
          if (parsed.data.after === 0 && parsed.data.limit >= 3)
            expect(body.checkpoints.map((c: { id: number }) => c.id)).toEqual([1, 2, 3]);
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    "POST /api/v1/events stores events only from bodies its schema accepts",
    async () => {
      const event = fc.record(
        {
          user: userRef,
          action: fc.oneof(fc.constantFrom("customer.view", "export.csv"), anyText),
          resource: fc.oneof(fc.constantFrom("customer:1", "ticket:48213"), anyText),
          occurred_at: fc.oneof(
            {
              weight: 2,
              arbitrary: fc
                .date({
                  min: new Date("0001-01-01T00:00:00Z"),
                  max: new Date("9999-12-31T23:59:59Z"),
                  noInvalidDate: true,
                })
                .map((d) => d.toISOString()),
            },
            {
              weight: 1,
              arbitrary: fc.constantFrom(
                "2026-01-01T00:00:00+14:00",
                "2026-02-30T00:00:00Z",
                "yesterday",
                "-infinity",
                "infinity",
                "294277-01-01T00:00:00Z",
                "+294277-01-01T00:00:00Z",
              ),
            },
            { weight: 2, arbitrary: edgeOfStorableRange },
            { weight: 1, arbitrary: anyText },
          ),
          role: roleRef,
        },
        { requiredKeys: ["user", "action", "resource", "occurred_at"] },
      );
      const validShape = fc.oneof(event, fc.record({ events: fc.array(event, { minLength: 1, maxLength: 4 }) }));
      await fc.assert(
        fc.asyncProperty(
          auth,
          jsonBody(validShape, ["events", "user", "action", "resource", "occurred_at", "role"]),
          fc.option(contentType, { nil: undefined }),
          lyingLength,
          async (who, body, type, length) => {
            const before = await tables.before();
            const response = await eventsPost(
              request("POST", "/api/v1/events", {
                authorization: authorization(who, "events:write"),
                contentType: type,
                contentLength: length,
                body,
              }),
            );
            await expectWellFormed(response, before);
            const failure = authFailure(who);
            if (failure) return void expect(response.status).toBe(failure);
            expect(
              expectedJsonStatuses(
                body,
                length,
                API_BODY_MAX_BYTES,
                (v) => eventsBody.safeParse(v).success,
                [201, 207, 404],
              ),
            ).toContain(response.status);
          },
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    "POST /api/v1/events stores every date its schema accepts, and refuses the rest with a 400 naming the field",
    async () => {
      const date = fc.oneof(
        edgeOfStorableRange,
        fc
          .date({ min: new Date(-62198755200000), max: new Date(8.64e15), noInvalidDate: true })
          .map((d) => d.toISOString()),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(date, { minLength: 1, maxLength: 3 }), async (dates) => {
          const before = await tables.before();
          const events = dates.map((occurred_at) => ({
            user: people.emails[0],
            action: "customer.view",
            resource: "customer:1",
            occurred_at,
          }));
          const response = await eventsPost(
            request("POST", "/api/v1/events", {
              authorization: authorization({ kind: "valid" }, "events:write"),
              body: JSON.stringify({ events }),
            }),
          );
          await expectWellFormed(response, before);
          expect(response.status).toBe(eventsBody.safeParse({ events }).success ? 201 : 400);
          if (response.status === 400)
            expect((await response.json()).error.message).toMatch(/^events\.\d\.occurred_at: /);
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    "POST /api/v1/verify checks any upload without storing anything",
    async () => {
      const upload = fc.oneof(
        {
          weight: 2,
          arbitrary: fc
            .tuple(contentType, fc.oneof(anyBytes, anyText))
            .map(([type, body]) => ({ type: type as string | undefined, body: body as Body })),
        },
        {
          weight: 1,
          arbitrary: fc
            .tuple(fc.constantFrom("file", "document", ""), fc.oneof(anyBytes, anyText))
            .map(([field, content]) => ({ type: undefined, body: multipart(field, content) })),
        },
        { weight: 1, arbitrary: fc.constant({ type: "application/pdf", body: undefined }) },
        {
          weight: 1,
          arbitrary: fc.constant(null).map(() => ({
            type: "application/pdf" as string | undefined,
            body: new Uint8Array(MAX_VERIFY_UPLOAD_BYTES + 1) as Body,
          })),
        },
      );
      await fc.assert(
        fc.asyncProperty(
          upload,
          fc.option(fc.oneof(fc.ipV4(), headerValue), { nil: undefined }),
          lyingLength,
          async ({ type, body }, ip, length) => {
            const before = await tables.before();
            const response = await verifyPost(
              request("POST", "/api/v1/verify", { contentType: type, contentLength: length, forwardedFor: ip, body }),
            );
            // Nothing is stored by a check, accepted or not.
            await expectWellFormed(response, before, { readOnly: true });
            if (response.status === 200)
              expect(await response.json()).toMatchObject({ authentic: false, message: expect.any(String) });
          },
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it(
    "POST /verify/upload (the page's PDF upload) answers every form with the form's own state, storing nothing",
    async () => {
      const upload = fc.oneof(
        {
          weight: 2,
          arbitrary: fc
            .tuple(fc.constantFrom("document", "file", ""), fc.oneof(anyBytes, anyText))
            .map(([field, content]) => ({
              type: undefined as string | undefined,
              body: multipart(field, content, field) as Body,
            })),
        },
        {
          weight: 1,
          arbitrary: fc
            .tuple(fc.option(contentType, { nil: undefined }), fc.oneof(anyBytes, anyText))
            .map(([type, body]) => ({ type, body: body as Body })),
        },
        {
          weight: 1,
          arbitrary: fc.constant(null).map(() => ({
            type: undefined as string | undefined,
            body: multipart("document", new Uint8Array(MAX_VERIFY_UPLOAD_BYTES + 1), "document") as Body,
          })),
        },
      );
      await fc.assert(
        fc.asyncProperty(
          upload,
          fc.option(fc.oneof(fc.ipV4(), headerValue), { nil: undefined }),
          lyingLength,
          async ({ type, body }, ip, length) => {
            const before = await tables.before();
            const response = await uploadPost(
              request("POST", "/verify/upload", { contentType: type, contentLength: length, forwardedFor: ip, body }),
            );
            await tables.rejected(before);
            expect([200, 413]).toContain(response.status);
            const state = await response.json();
            if (response.status === 413) return void expect(state).toEqual({ error: UPLOAD_MESSAGES.tooLarge });
            expect(state).toEqual(
              expect.objectContaining(
                "error" in state
                  ? { error: expect.stringMatching(/\S/) }
                  : { authentic: false, message: "Not recognised or modified" },
              ),
            );
          },
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  describe("POST /api/cron/tick", () => {
    const secret = "cron-secret-for-property-tests-0123456789";
    const cronAuth = fc.oneof(
      fc.constant(undefined),
      headerValue,
      headerValue.map((v) => `Bearer ${v}`),
      fc.constantFrom(`Bearer ${secret}x`, `Bearer ${secret.slice(1)}`, `Basic ${secret}`, secret.toUpperCase()),
    );

    afterAll(() => {
      delete process.env.CRON_SECRET;
      resetEnvForTests();
    });

    it(
      "is a JSON 404 while no secret is configured, and a JSON 401 for every wrong secret",
      async () => {
        for (const configured of [false, true]) {
          if (configured) process.env.CRON_SECRET = secret;
          resetEnvForTests();
          await fc.assert(
            fc.asyncProperty(cronAuth, fc.option(anyText, { nil: undefined }), async (authValue, body) => {
              const before = await tables.before();
              const response = await tickPost(
                request("POST", "/api/cron/tick", {
                  authorization: authValue,
                  body: body?.replace(/[\uD800-\uDFFF]/g, ""),
                }),
              );
              await expectWellFormed(response, before);
              expect(response.status).toBe(configured ? 401 : 404);
            }),
            { numRuns: RUNS / 2 },
          );
        }
        const response = await tickPost(request("POST", "/api/cron/tick", { authorization: `bearer ${secret}` }));
        tables.accepted();
        expect(response.status).toBe(200);
        expect(await response.json()).toMatchObject({ errors: [] });
      },
      TIMEOUT,
    );
  });

  it("answers a JSON 400, not a 500, to NUL in a user, an action or a resource", async () => {
    const user = encodeURIComponent("ana\u0000@test.example");
    expect(
      (
        await checkGet(
          request("GET", `/api/v1/access/check?user=${user}&role=customer-pii-read`, {
            authorization: authorization({ kind: "valid" }, "access:check"),
          }),
        )
      ).status,
    ).toBe(400);
    const event = {
      user: people.emails[0],
      action: "customer.view\u0000",
      resource: "customer:1",
      occurred_at: new Date().toISOString(),
    };
    expect(
      (
        await eventsPost(
          request("POST", "/api/v1/events", {
            authorization: authorization({ kind: "valid" }, "events:write"),
            body: JSON.stringify(event),
          }),
        )
      ).status,
    ).toBe(400);
  });

  it("stores an event whose action ends in a lone surrogate escape, made well-formed", async () => {
    const event = {
      user: people.emails[0],
      action: "customer.view ¡\udfff",
      resource: "customer:1",
      occurred_at: new Date().toISOString(),
    };
    tables.accepted();
    expect(
      (
        await eventsPost(
          request("POST", "/api/v1/events", {
            authorization: authorization({ kind: "valid" }, "events:write"),
            body: JSON.stringify(event),
          }),
        )
      ).status,
    ).toBe(201);
  });

  it("health and the OpenAPI document answer 200 JSON and write nothing", async () => {
    const before = await tables.before();
    const health = await healthGet();
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", database: { status: "ok" } });
    const document = openApiGet();
    expect(document.status).toBe(200);
    expect(await document.json()).toMatchObject({ openapi: expect.any(String), paths: expect.any(Object) });
    await tables.rejected(before);
  });
});

describe("SCIM endpoints under random input", () => {
  const ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
  const scimText = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom("Ana", "Customer Support", "True", "False", "") },
    { weight: 2, arbitrary: anyText },
  );
  const scimValue = fc.oneof(
    scimText,
    fc.boolean(),
    fc.constant(null),
    anyJson,
    fc.record({ value: scimText }),
    fc.array(fc.record({ value: fc.oneof(scimText, fc.uuid()), type: fc.constantFrom("work", "home") }), {
      maxLength: 2,
    }),
  );
  const path = fc.oneof(
    fc.constantFrom(
      "active",
      "userName",
      "title",
      "displayName",
      "externalId",
      "name.givenName",
      'emails[type eq "work"].value',
      `${ENT}:department`,
      `${ENT}:manager`,
      `${ENT}:employeeNumber`,
      "members",
      'members[value eq "x"]',
      "roles",
      "emails[",
      "name..x",
    ),
    anyText,
  );
  const operation = fc.record(
    { op: fc.oneof(fc.constantFrom("add", "Replace", "remove", "REMOVE", "move"), anyText), path, value: scimValue },
    { requiredKeys: ["op"] },
  );
  const patchBody = fc.record({
    schemas: fc.constant(["urn:ietf:params:scim:api:messages:2.0:PatchOp"]),
    Operations: fc.array(operation, { minLength: 1, maxLength: 4 }),
  });
  const userBody = fc.record(
    {
      userName: fc.oneof(fc.emailAddress(), scimText),
      name: fc.record({ givenName: scimText, familyName: scimText }),
      emails: fc.array(
        fc.record({ value: fc.oneof(fc.emailAddress(), scimText), type: fc.constant("work"), primary: fc.boolean() }),
        { maxLength: 2 },
      ),
      active: fc.oneof(fc.boolean(), scimText),
      [ENT]: fc.record({ department: scimText, manager: scimValue }),
    },
    { requiredKeys: [] },
  );
  const groupBody = fc.record(
    {
      displayName: scimText,
      members: fc.array(fc.record({ value: fc.oneof(fc.uuid(), scimText, fc.constant(people.ids[0] ?? "")) }), {
        maxLength: 3,
      }),
    },
    { requiredKeys: [] },
  );
  const scimBody = (shape: fc.Arbitrary<unknown>) =>
    fc.oneof(
      { weight: 4, arbitrary: shape.map((v) => JSON.stringify(v)) },
      { weight: 1, arbitrary: anyJson.map((v) => JSON.stringify(v)) },
      { weight: 1, arbitrary: malformedJson },
      { weight: 1, arbitrary: anyBytes },
      { weight: 1, arbitrary: hugeText.map((t) => JSON.stringify({ userName: t, displayName: t })) },
    );

  /** Below 500; a refusal is SCIM's error object with scim+json, and leaves every table as it was. */
  async function expectScimWellFormed(response: Response, before: TableState) {
    expect(response.status).toBeGreaterThanOrEqual(200);
    expect(response.status).toBeLessThan(500);
    if (response.status >= 400) {
      expect(response.headers.get("content-type")).toMatch(/^application\/scim\+json/);
      expect(await response.json()).toEqual(
        expect.objectContaining({
          schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
          status: String(response.status),
          detail: expect.stringMatching(/\S/),
        }),
      );
      await tables.rejected(before);
    } else tables.accepted();
  }

  let scimUserId = "";
  let scimGroupId = "";
  beforeAll(async () => {
    const user = await scimRaw(
      `Bearer ${tokens.scim}`,
      "POST",
      "/Users",
      JSON.stringify({ userName: "scim.target@test.example" }),
    );
    scimUserId = (await user.json()).id;
    const group = await scimRaw(`Bearer ${tokens.scim}`, "POST", "/Groups", JSON.stringify({ displayName: "target" }));
    scimGroupId = (await group.json()).id;
    tables.accepted();
  });

  const cases: [string, string, () => string, fc.Arbitrary<string | Uint8Array>][] = [
    ["POST", "/Users", () => "/Users", scimBody(userBody)],
    ["PUT", "/Users/{id}", () => `/Users/${scimUserId}`, scimBody(userBody)],
    ["PATCH", "/Users/{id}", () => `/Users/${scimUserId}`, scimBody(patchBody)],
    ["POST", "/Groups", () => "/Groups", scimBody(groupBody)],
    ["PATCH", "/Groups/{id}", () => `/Groups/${scimGroupId}`, scimBody(patchBody)],
  ];
  for (const [method, label, target, bodies] of cases) {
    it(
      `${method} /scim/v2${label} answers every body below 500, refusals in SCIM's format with nothing written`,
      async () => {
        await fc.assert(
          fc.asyncProperty(auth, bodies, lyingLength, async (who, body, length) => {
            const before = await tables.before();
            const response = await scimRaw(authorization(who, "scim"), method, target(), body, length);
            await expectScimWellFormed(response, before);
            const failure = authFailure(who);
            if (failure) expect(response.status).toBe(failure);
          }),
          { numRuns: RUNS },
        );
      },
      TIMEOUT,
    );
  }

  it(
    "GET /scim/v2/Users and /Groups answer any filter, startIndex and count below 500, writing nothing",
    async () => {
      const filter = fc.oneof(
        fc.constantFrom(
          'userName eq "scim.target@test.example"',
          'emails[type eq "work"].value eq "x"',
          'displayName eq "target"',
          'members[value eq "x"]',
          "userName sw 1",
          "((",
          'a eq "',
        ),
        anyText,
      );
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom("/Users", "/Groups"),
          filter,
          fc.oneof(anyText, fc.integer().map(String)),
          fc.oneof(anyText, fc.integer().map(String)),
          async (resource, f, start, count) => {
            const before = await tables.before();
            const clean = (v: string) => encodeURIComponent(v.replace(/[\uD800-\uDFFF]/g, "\uFFFD"));
            const response = await scimRaw(
              `Bearer ${tokens.scim}`,
              "GET",
              `${resource}?filter=${clean(f)}&startIndex=${clean(start)}&count=${clean(count)}`,
            );
            expect(response.status).toBeLessThan(500);
            if (response.status >= 400)
              expect((await response.json()).schemas).toEqual(["urn:ietf:params:scim:api:messages:2.0:Error"]);
            // Only the client's "last used" time and its rate-limit counter may change.
            await tables.rejected(before);
          },
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );
});

describe("the decision listener under random requests", () => {
  const listener = withDecisionServer();

  it(
    "answers every method, path, token and body below 500, with JSON errors, as the app's route does",
    async () => {
      const path = fc.oneof(
        {
          weight: 4,
          arbitrary: fc
            .oneof(
              queryString(["user", "role"]),
              fc
                .record({ user: userRef, role: roleRef })
                .map(
                  ({ user, role }) =>
                    `?user=${encodeURIComponent(user.replace(/[\uD800-\uDFFF]/g, "\uFFFD"))}&role=${encodeURIComponent(role.replace(/[\uD800-\uDFFF]/g, "\uFFFD"))}`,
                ),
            )
            .map((q) => `/api/v1/access/check${q}`),
        },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            "/",
            "/api/v1/access/holders?role=customer-pii-read",
            "/api/v1/access/check/",
            "/API/V1/ACCESS/CHECK",
            "//api/v1/access/check",
            "/api/v1/access/check%00",
            "/%",
            "/api/health",
          ),
        },
      );
      const method = fc.constantFrom("GET", "GET", "POST", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");
      const validBatch = fc.record({
        checks: fc.array(fc.record({ user: userRef, role: roleRef }), { minLength: 1, maxLength: 5 }),
      });
      await fc.assert(
        fc.asyncProperty(
          auth,
          method,
          path,
          jsonBody(validBatch, ["checks", "user", "role"]),
          async (who, verb, target, body) => {
            const before = await tables.before();
            const headers: Record<string, string> = {};
            const token = authorization(who, "access:check");
            if (token !== undefined) headers.authorization = token;
            const response = await fetch(`${listener()}${target}`, {
              method: verb,
              headers,
              body: verb === "POST" || verb === "PUT" || verb === "PATCH" ? (body as BodyInit) : undefined,
            });
            await expectWellFormed(response, before, {
              readOnly: !(response.status === 200 && target.startsWith("/api/v1/access/check")),
            });
            // Past 16 KB of request line and headers any node:http server refuses (431) before the app sees the request.
            if (verb === "GET" && target.startsWith("/api/v1/access/check?") && response.status !== 431) {
              const viaRoute = await checkGet(
                request("GET", target, token === undefined ? {} : { authorization: token }),
              );
              expect(viaRoute.status).toBe(response.status);
              tables.accepted();
            }
          },
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );
});

describe("the decision listener under request targets in every form", () => {
  const listener = withDecisionServer();

  it(
    "answers absolute, asterisk, authority and garbled targets with a JSON 400, and origin-form as before",
    async () => {
      const path = fc.oneof(
        fc.constantFrom("/api/v1/access/check?user=a%40b.example&role=customer-pii-read", "/api/health", "/", "*", ""),
        fc.webPath(),
        fc.string({ unit: "grapheme-ascii", maxLength: 30 }),
      );
      const host = fc.oneof(
        fc.domain(),
        fc.constantFrom("evil", "evil:99999", "[::1", "a%", "", "127.0.0.1:0", "user@evil", "[::1]:80"),
      );
      const target = fc.oneof(
        fc
          .tuple(fc.constantFrom("http://", "https://", "HTTP://", "//", "ftp://", "javascript:"), host, path)
          .map(([scheme, h, p]) => `${scheme}${h}${p}`),
        fc.constantFrom("*", "evil.example:443", "api/v1/access/check", "%2Fapi%2Fv1%2Faccess%2Fcheck", "\\api\\v1"),
        path.map((p) => p.replace(/[\s]/g, "")),
      );
      const method = fc.constantFrom("GET", "POST", "OPTIONS", "HEAD", "DELETE", "CONNECT");
      await fc.assert(
        fc.asyncProperty(method, target, async (verb, raw) => {
          const before = await tables.before();
          const line = `${verb} ${raw.replace(/[\s]/g, "") || "*"} HTTP/1.1`;
          const response = await rawRequest(listener(), line);
          expect(response.status, line).toBeGreaterThanOrEqual(200);
          expect(response.status, line).toBeLessThan(500);
          if (!raw.startsWith("/")) expect(response.status, line).toBe(400);
          if (response.status >= 400 && verb !== "HEAD") {
            expect(response.contentType).toMatch(/^application\/json/);
            expect(JSON.parse(response.body)).toEqual({
              error: { code: expect.stringMatching(/^[a-z_]+$/), message: expect.stringMatching(/\S/) },
            });
          }
          await tables.rejected(before);
        }),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );
});

/** The status a JSON endpoint owes an authorised caller for this body. */
function expectedJsonStatuses(
  body: string | Uint8Array,
  lyingLength: string | undefined,
  maxBytes: number,
  accepts: (value: unknown) => boolean,
  accepted: number[],
): number[] {
  if (Number(lyingLength ?? 0) > maxBytes) return [413];
  // The limit is on the bytes sent, counted as they arrive.
  if ((typeof body === "string" ? new TextEncoder().encode(body).length : body.length) > maxBytes) return [413];
  const text = receivedText(body);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [400];
  }
  return accepts(value) ? accepted : [400];
}

function multipart(field: string, content: string | Uint8Array, fileField = "file"): FormData {
  const form = new FormData();
  if (field === fileField)
    form.append(field, new File([content as BlobPart], "agreement.pdf", { type: "application/pdf" }));
  else if (field)
    form.append(
      field,
      typeof content === "string"
        ? content
        : new File([content as BlobPart], "agreement.pdf", { type: "application/pdf" }),
    );
  else form.append("note", typeof content === "string" ? content : "bytes");
  return form;
}
