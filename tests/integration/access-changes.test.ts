import { describe, expect, it } from "vitest";

import { GET as changesGet } from "@/app/api/v1/access/changes/route";
import type { ApiScope } from "@/db/schema";
import { createApiClient } from "@/lib/access/api-clients";
import { decideRequest, requestAccess, revokeGrant } from "@/lib/access/approvals";
import { accessChangeStream, changesAfter, latestChangeId } from "@/lib/access/changes";

import { satisfyRole } from "../helpers/access-fixtures";
import { context, createPerson, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

/** GET /api/v1/access/changes: grant events and revisions as Server-Sent Events, resumable with Last-Event-ID. */

const database = withTestDatabase();
const ROLE = "customer-pii-read";

async function token(scopes: ApiScope[] = ["access:read"]) {
  const admin = viewerOf(await createPerson(database.db(), { roles: ["compliance_admin"] }));
  return (await createApiClient(admin, context(admin.id), { name: "gateway", scopes })).token;
}

async function team() {
  const db = database.db();
  const manager = viewerOf(await createPerson(db, { roles: ["manager"] }));
  const employee = viewerOf(await createPerson(db, { managerId: manager.id }));
  await satisfyRole(db, employee.id, ROLE);
  return { manager, employee };
}

type Event = { id?: string; event: string; data: Record<string, unknown> };

/** Reads Server-Sent Events from a response until `enough` says so. */
async function readEvents(response: Response, enough: (events: Event[]) => boolean): Promise<Event[]> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: Event[] = [];
  let buffer = "";
  while (!enough(events)) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields = Object.fromEntries(
        block
          .split("\n")
          .filter((l) => !l.startsWith(":") && l.includes(": "))
          .map((l) => [l.slice(0, l.indexOf(": ")), l.slice(l.indexOf(": ") + 2)]),
      );
      if (fields.event) events.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data) });
    }
  }
  await reader.cancel();
  return events;
}

const open = (t: string, abort: AbortController, headers: Record<string, string> = {}) =>
  changesGet(
    new Request("http://localhost/api/v1/access/changes", {
      headers: { authorization: `Bearer ${t}`, ...headers },
      signal: abort.signal,
    }),
  );

describe("access change stream", () => {
  it("publishes grants, revocations and revisions as they happen, and resumes after Last-Event-ID", async () => {
    const { manager, employee } = await team();
    const t = await token();
    const abort = new AbortController();
    const response = await open(t, abort);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");

    const reading = readEvents(response, (events) => events.some((e) => e.event === "access.revoked"));
    const request = await requestAccess(employee, context(employee.id), ROLE, "I answer tickets.");
    await decideRequest(manager, context(manager.id), request.id, { approve: true });
    await revokeGrant(manager, context(manager.id), request.id, "Moved team");
    const events = await reading;
    abort.abort();

    const grantEvents = events.filter((e) => e.event.startsWith("access."));
    expect(grantEvents.map((e) => e.event)).toEqual(["access.granted", "access.revoked"]);
    for (const e of grantEvents) {
      expect(e.data).toMatchObject({ person_id: employee.id, role_id: ROLE, type: e.event });
      expect(e.id).toBe(String(e.data.id));
      expect(typeof e.data.revision).toBe("number");
    }
    const revisions = events.filter((e) => e.event === "revision").map((e) => e.data.revision as number);
    expect(revisions.length).toBeGreaterThanOrEqual(1);
    expect([...revisions].sort((a, b) => a - b)).toEqual(revisions);

    // Resuming after the grant yields the revocation, and nothing before it.
    const again = new AbortController();
    const resumed = await open(t, again, { "last-event-id": grantEvents[0].id! });
    const replay = await readEvents(resumed, (es) => es.some((e) => e.event === "access.revoked"));
    again.abort();
    expect(replay.filter((e) => e.event.startsWith("access.")).map((e) => e.event)).toEqual(["access.revoked"]);
  });

  it("misses nothing when many changes arrive between two reads", async () => {
    const { manager } = await team();
    const db = database.db();
    const from = await latestChangeId(db);
    const employees = await Promise.all(
      Array.from({ length: 12 }, async () => viewerOf(await createPerson(db, { managerId: manager.id }))),
    );
    await Promise.all(
      employees.map(async (e) => {
        const request = await requestAccess(e, context(e.id), ROLE, "Support work.");
        await decideRequest(manager, context(manager.id), request.id, { approve: true });
      }),
    );
    const seen = [];
    const stream = accessChangeStream(db, { after: from, maxMs: 2_000, pollMs: 50 });
    for await (const text of stream) {
      if (text.includes("event: access.granted")) seen.push(text);
      if (seen.length === employees.length) break;
    }
    expect(seen).toHaveLength(12);
    expect((await changesAfter(db, from, 5)).length).toBe(5);
  });

  it("refuses a bad Last-Event-ID, the wrong scope, no token, and a fifth stream for one client", async () => {
    const t = await token();
    const abort = new AbortController();
    expect((await open(t, abort, { "last-event-id": "yesterday" })).status).toBe(400);
    expect((await open(await token(["access:check"]), abort)).status).toBe(403);
    expect((await changesGet(new Request("http://localhost/api/v1/access/changes"))).status).toBe(401);

    const streams = await Promise.all(Array.from({ length: 30 }, () => open(t, abort)));
    const statuses = streams.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(4);
    expect(statuses.filter((s) => s === 429)).toHaveLength(26);
    const refused = streams.find((r) => r.status === 429)!;
    expect((await refused.json()).error.code).toBe("too_many_streams");
    await Promise.all(streams.filter((r) => r.status === 200).map((r) => r.body!.cancel()));
    abort.abort();
    const after = new AbortController();
    const reopened = await open(t, after);
    expect(reopened.status).toBe(200);
    await reopened.body!.cancel();
    after.abort();
  });
});
