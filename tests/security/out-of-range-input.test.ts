import { count } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { POST as eventsPost } from "@/app/api/v1/events/route";
import { dataOperationEvents } from "@/db/schema";
import { createApiClient } from "@/lib/access/api-clients";

import { rawRequest as rawRequestTo, withDecisionServer } from "../helpers/decision-server";
import { context, createPerson, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

/**
 * Values a schema could accept but the database or the URL parser cannot take:
 * each is a 400 with a message, never a 500 that drops a whole batch.
 */
const database = withTestDatabase();
const listener = withDecisionServer();

async function eventsToken() {
  const admin = viewerOf(await createPerson(database.db(), { roles: ["compliance_admin"] }));
  return (
    await createApiClient(admin, context(admin.id), {
      name: "siem",
      scopes: ["events:write"],
      rateLimitPerMinute: 10_000,
    })
  ).token;
}

const postEvents = (token: string, body: unknown) =>
  eventsPost(
    new Request("http://localhost/api/v1/events", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  );

const storedEvents = async () => (await database.db().select({ n: count() }).from(dataOperationEvents))[0].n;

const OUT_OF_RANGE = [
  "9999-12-31T23:59:59-14:00",
  "9999-12-31T23:59:59.9999-00:01",
  "0000-01-01T00:00:00Z",
  "0000-12-31T23:59:59Z",
  "0001-01-01T00:00:00+00:01",
  "294277-01-01T00:00:00Z",
  "+294277-01-01T00:00:00Z",
  "-000001-01-01T00:00:00Z",
  "-infinity",
  "infinity",
  "epoch",
];

describe("dates the database cannot store", () => {
  it("refuse a 1,000-event batch with a 400 naming the event, and store none of it", async () => {
    const token = await eventsToken();
    const person = await createPerson(database.db());
    const event = (occurred_at: string) => ({
      user: person.email,
      action: "customer.view",
      resource: "customer:1",
      occurred_at,
    });
    for (const date of OUT_OF_RANGE) {
      const events = Array.from({ length: 1000 }, (_, i) => event(i === 999 ? date : "2026-03-01T10:00:00Z"));
      const response = await postEvents(token, { events });
      expect(response.status, date).toBe(400);
      const body = await response.json();
      expect(body.error).toMatchObject({
        code: "invalid_request",
        message: expect.stringMatching(/^events\.999\.occurred_at: /),
      });
      expect(body.error.fields[0]).toMatchObject({ path: "events.999.occurred_at" });
    }
    expect(await storedEvents()).toBe(0);
  });

  it("store the first and last instants PostgreSQL takes", async () => {
    const token = await eventsToken();
    const person = await createPerson(database.db());
    const events = [
      "0001-01-01T00:00:00Z",
      "9999-12-31T23:59:59.999Z",
      "9999-12-31T23:59:59+14:00",
      "0001-01-01T00:00:00-10:00",
    ].map((occurred_at) => ({ user: person.email, action: "customer.view", resource: "customer:1", occurred_at }));
    const response = await postEvents(token, { events });
    expect(response.status).toBe(201);
    expect(await storedEvents()).toBe(4);
  });
});

describe("the decision listener's request targets", () => {
  const rawRequest = (line: string) => rawRequestTo(listener(), line);
  const query = "?user=ana%40example.test&role=customer-pii-read";
  const MALFORMED = [
    `GET http://evil/api/v1/access/check${query} HTTP/1.1`,
    `GET http://evil:99999/api/v1/access/check${query} HTTP/1.1`,
    `GET http://[::1/api/v1/access/check${query} HTTP/1.1`,
    `GET http://a%/api/v1/access/check HTTP/1.1`,
    `GET http:// HTTP/1.1`,
    `POST https://evil/api/v1/access/check HTTP/1.1`,
    `OPTIONS * HTTP/1.1`,
    `GET * HTTP/1.1`,
    `CONNECT evil.example:443 HTTP/1.1`,
    `GET api/v1/access/check${query} HTTP/1.1`,
  ];

  it.each(MALFORMED)("answers %s with a JSON 400", async (line) => {
    const response = await rawRequest(line);
    expect(response.status).toBe(400);
    expect(response.contentType).toMatch(/^application\/json/);
    expect(JSON.parse(response.body)).toEqual({ error: { code: "bad_request", message: expect.any(String) } });
  });

  it("still answers origin-form targets as before", async () => {
    expect((await rawRequest(`GET /api/v1/access/check${query} HTTP/1.1`)).status).toBe(401);
    expect((await rawRequest(`GET //evil/api/v1/access/check${query} HTTP/1.1`)).status).toBe(404);
    expect((await rawRequest(`GET /api/health HTTP/1.1`)).status).toBe(200);
  });
});
