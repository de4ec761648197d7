import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { GET as routeGet } from "@/app/api/v1/access/check/route";
import { accessDecisions, type ApiScope } from "@/db/schema";
import { createApiClient, revokeApiClient } from "@/lib/access/api-clients";

import { grantRole, satisfyRole } from "../helpers/access-fixtures";
import { withDecisionServer } from "../helpers/decision-server";
import { context, createPerson, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

/** The decision listener answers as the app's route does, through a real socket. */

const database = withTestDatabase();
const ROLE = "customer-pii-read";
const listener = withDecisionServer();

async function token(scopes: ApiScope[], rateLimitPerMinute?: number) {
  const admin = viewerOf(await createPerson(database.db(), { roles: ["compliance_admin"] }));
  return {
    admin,
    ...(await createApiClient(admin, context(admin.id), { name: "gateway", scopes, rateLimitPerMinute })),
  };
}

const auth = (t?: string): Record<string, string> => (t ? { authorization: `Bearer ${t}` } : {});
const check = (query: string, t?: string) => fetch(`${listener()}/api/v1/access/check?${query}`, { headers: auth(t) });
const batch = (body: string, t: string) =>
  fetch(`${listener()}/api/v1/access/check`, {
    method: "POST",
    headers: { ...auth(t), "content-type": "application/json" },
    body,
  });

describe("decision listener", () => {
  it("answers a check exactly as the app's route does, and logs it against the client", async () => {
    const db = database.db();
    const person = await createPerson(db);
    await satisfyRole(db, person.id, ROLE);
    await grantRole(db, person.id, ROLE);
    const { id: clientId, token: t } = await token(["access:check"]);

    const response = await check(`user=${encodeURIComponent(person.email.toUpperCase())}&role=${ROLE}`, t);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("private, max-age=60");
    const body = await response.json();
    expect(body).toMatchObject({ allow: true, reasons: [] });
    expect(response.headers.get("x-decision-id")).toBe(body.decision_id);
    const viaRoute = await routeGet(
      new Request(`http://localhost/api/v1/access/check?user=${person.id}&role=${ROLE}`, { headers: auth(t) }),
    );
    const routeBody = await viaRoute.json();
    expect(viaRoute.headers.get("cache-control")).toBe("private, max-age=60");
    expect({ ...routeBody, decision_id: undefined }).toEqual({ ...body, decision_id: undefined });
    expect(Number(routeBody.decision_id)).toBeGreaterThan(Number(body.decision_id));

    const logged = await db.select().from(accessDecisions).where(eq(accessDecisions.personId, person.id));
    expect(logged).toHaveLength(2);
    expect(logged.every((l) => l.clientId === clientId && l.allow && l.roleId === ROLE && l.reasons.length === 0)).toBe(
      true,
    );
  });

  it("gives every one of many concurrent checks its own right answer and log row", async () => {
    const db = database.db();
    const cleared = await createPerson(db);
    await satisfyRole(db, cleared.id, ROLE);
    await grantRole(db, cleared.id, ROLE);
    const blocked = await createPerson(db);
    await grantRole(db, blocked.id, ROLE);
    const { token: t } = await token(["access:check"]);

    const asks = Array.from({ length: 40 }, (_, i) => (i % 2 ? blocked : cleared));
    const answers = await Promise.all(asks.map(async (p) => (await check(`user=${p.email}&role=${ROLE}`, t)).json()));
    answers.forEach((answer, i) => expect(answer.allow).toBe(asks[i] === cleared));
    expect(answers[1].reasons).toContain("course_missing:support-data-handling");
    const rows = await db.select().from(accessDecisions).where(eq(accessDecisions.roleId, ROLE));
    expect(rows.filter((r) => r.personId === cleared.id && r.allow)).toHaveLength(20);
    expect(
      rows.filter(
        (r) => r.personId === blocked.id && !r.allow && r.reasons.includes("course_missing:support-data-handling"),
      ),
    ).toHaveLength(20);
  });

  it("answers batches in order, the same as single checks", async () => {
    const db = database.db();
    const a = await createPerson(db);
    await satisfyRole(db, a.id, ROLE);
    await grantRole(db, a.id, ROLE);
    const b = await createPerson(db);
    const { token: t } = await token(["access:check"]);
    const checks = [
      { user: a.email, role: ROLE },
      { user: b.id, role: ROLE },
      { user: "nobody@test.example", role: ROLE },
      { user: a.id, role: "backup-restore-operator" },
    ];
    const response = await batch(JSON.stringify({ checks }), t);
    expect(response.status).toBe(200);
    const { results } = await response.json();
    expect(results.map((r: { user: string }) => r.user)).toEqual(checks.map((c) => c.user));
    expect(results[2].error.code).toBe("unknown_user");
    for (const [i, c] of checks.entries()) {
      if (i === 2) continue;
      const { allow, reasons, valid_until } = await (
        await check(`user=${encodeURIComponent(c.user)}&role=${c.role}`, t)
      ).json();
      expect({ allow: results[i].allow, reasons: results[i].reasons, valid_until: results[i].valid_until }).toEqual({
        allow,
        reasons,
        valid_until,
      });
    }
  });

  it("refuses with the API's errors: 401, 403, 400, 404, 405, 413 and 429", async () => {
    const db = database.db();
    const person = await createPerson(db);
    const { token: reader } = await token(["access:read"]);
    const { admin, id, token: t } = await token(["access:check"], 4);
    const error = async (response: Response) => ({ status: response.status, code: (await response.json()).error.code });

    expect(await error(await check(`user=${person.email}&role=${ROLE}`))).toEqual({
      status: 401,
      code: "unauthenticated",
    });
    expect(await error(await check(`user=${person.email}&role=${ROLE}`, "clr_not-a-token"))).toEqual({
      status: 401,
      code: "invalid_token",
    });
    expect(await error(await check(`user=${person.email}&role=${ROLE}`, reader))).toEqual({
      status: 403,
      code: "insufficient_scope",
    });
    expect(await error(await check(`role=${ROLE}`, t))).toEqual({ status: 400, code: "invalid_request" });
    expect(await error(await check(`user=${person.email}&role=no-such-role`, t))).toEqual({
      status: 404,
      code: "unknown_role",
    });
    expect(await error(await batch("{not json", t))).toEqual({ status: 400, code: "invalid_json" });
    expect(await error(await batch(JSON.stringify({ checks: [], padding: "x".repeat(300 * 1024) }), t))).toEqual({
      status: 413,
      code: "payload_too_large",
    });
    const limited = await check(`user=${person.email}&role=${ROLE}`, t);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);

    const wrongMethod = await fetch(`${listener()}/api/v1/access/check`, { method: "DELETE", headers: auth(t) });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("GET, POST");
    expect(await error(await fetch(`${listener()}/api/v1/access/holders?role=${ROLE}`, { headers: auth(t) }))).toEqual({
      status: 404,
      code: "not_found",
    });

    await revokeApiClient(admin, context(admin.id), id);
    expect(await error(await check(`user=${person.email}&role=${ROLE}`, t))).toEqual({
      status: 401,
      code: "invalid_token",
    });
  });
});
