import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { GET as checkGet, POST as checkPost } from "@/app/api/v1/access/check/route";
import { GET as holdersGet } from "@/app/api/v1/access/holders/route";
import { POST as eventsPost } from "@/app/api/v1/events/route";
import { POSTGRES_POOL_MAX } from "@/db/client";
import { selectRows } from "@/db/rows";
import { accessDecisions, accessGrants, certifications, dataOperationEvents, type ApiScope } from "@/db/schema";
import { createApiClient, revokeApiClient } from "@/lib/access/api-clients";
import { checkAccess, PARALLEL_READ_PAIRS, type CheckResult } from "@/lib/access/check";
import { accessRole, accessRoles, decisionFor, loadDecisionFacts, loadFactsFor } from "@/lib/access/facts";

import { grantRole, satisfyRole } from "../helpers/access-fixtures";
import { context, createPerson, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
const ROLE = "customer-pii-read";
const BASE = "http://localhost/api/v1";

async function token(scopes: ApiScope[], rateLimitPerMinute?: number) {
  const admin = viewerOf(await createPerson(database.db(), { roles: ["compliance_admin"] }));
  return {
    admin,
    ...(await createApiClient(admin, context(admin.id), { name: "support console", scopes, rateLimitPerMinute })),
  };
}

const get = (path: string, t?: string) =>
  new Request(`${BASE}${path}`, { headers: t ? { authorization: `Bearer ${t}` } : {} });
const post = (path: string, body: unknown, t: string) =>
  new Request(`${BASE}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${t}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("access decision API", () => {
  it("allows a person with an approved grant and current training; expiry flips it to course_expired", async () => {
    const db = database.db();
    const person = await createPerson(db, { email: "cleared@test.example" });
    await satisfyRole(db, person.id, ROLE);
    await grantRole(db, person.id, ROLE);
    const { token: t } = await token(["access:check"]);

    const ok = await checkGet(get(`/access/check?user=CLEARED@test.example&role=${ROLE}`, t));
    expect(ok.status).toBe(200);
    const body = await ok.json();
    expect(body).toMatchObject({ allow: true, reasons: [] });
    expect(new Date(body.valid_until).getTime()).toBeGreaterThan(Date.now());

    await db
      .update(certifications)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(certifications.courseId, "support-data-handling"));
    const denied = await (await checkGet(get(`/access/check?user=${person.id}&role=${ROLE}`, t))).json();
    expect(denied).toEqual({
      allow: false,
      reasons: ["course_expired:support-data-handling"],
      valid_until: null,
      revision: expect.any(Number),
      decision_id: expect.stringMatching(/^\d+$/),
    });

    const logged = await db.select().from(accessDecisions).where(eq(accessDecisions.personId, person.id));
    expect(logged.map((l) => l.allow)).toEqual([true, false]);
  });

  it("answers 401, 403, 400, 404 and 429 with a code and a message", async () => {
    const db = database.db();
    const person = await createPerson(db);
    const { admin, id, token: t } = await token(["access:read"], 3);
    expect((await checkGet(get(`/access/check?user=${person.email}&role=${ROLE}`))).status).toBe(401);
    const wrongScope = await checkGet(get(`/access/check?user=${person.email}&role=${ROLE}`, t));
    expect(wrongScope.status).toBe(403);
    expect(await wrongScope.json()).toEqual({
      error: { code: "insufficient_scope", message: 'This token does not have the "access:check" scope.' },
    });

    const { token: checker, id: checkerId } = await token(["access:check"], 3);
    const bad = await checkGet(get(`/access/check?role=${ROLE}`, checker));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe("invalid_request");
    const unknownUser = await checkGet(get(`/access/check?user=nobody@test.example&role=${ROLE}`, checker));
    expect(unknownUser.status).toBe(404);
    expect((await unknownUser.json()).error.code).toBe("unknown_user");
    expect((await checkGet(get(`/access/check?user=${person.email}&role=no-such-role`, checker))).status).toBe(404);
    const limited = await checkGet(get(`/access/check?user=${person.email}&role=${ROLE}`, checker));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);

    await revokeApiClient(admin, context(admin.id), checkerId);
    const revoked = await checkGet(get(`/access/check?user=${person.email}&role=${ROLE}`, checker));
    expect(revoked.status).toBe(401);
    expect((await revoked.json()).error.code).toBe("invalid_token");
    expect(id).toBeTruthy();
  });

  it("batch results match single checks", async () => {
    const db = database.db();
    const a = await createPerson(db);
    const b = await createPerson(db);
    await satisfyRole(db, a.id, ROLE);
    await grantRole(db, a.id, ROLE);
    await grantRole(db, b.id, "backup-restore-operator");
    const { token: t } = await token(["access:check"]);
    const pairs = [
      { user: a.email, role: ROLE },
      { user: b.email, role: ROLE },
      { user: b.email, role: "backup-restore-operator" },
      { user: a.id, role: "payment-data-admin" },
      { user: "ghost@test.example", role: ROLE },
    ];
    const batch = await (await checkPost(post("/access/check", { checks: pairs }, t))).json();
    expect(batch.results).toHaveLength(5);
    for (const [i, pair] of pairs.entries()) {
      const single = await checkGet(get(`/access/check?user=${encodeURIComponent(pair.user)}&role=${pair.role}`, t));
      if (single.status === 404) expect(batch.results[i].error.code).toBe((await single.json()).error.code);
      else
        expect({ ...batch.results[i], user: undefined, role: undefined, decision_id: undefined }).toEqual({
          ...(await single.json()),
          user: undefined,
          role: undefined,
          decision_id: undefined,
          revision: undefined,
        });
    }
    expect(batch.results[0].allow).toBe(true);
    const tooMany = await checkPost(post("/access/check", { checks: Array.from({ length: 1001 }, () => pairs[0]) }, t));
    expect(tooMany.status).toBe(400);
    expect((await tooMany.json()).error.message).toContain("1,000");
  });

  it("answers a batch of 1,000 pairs, read in parts side by side on PostgreSQL, as the same pairs asked a few at a time", async () => {
    const db = database.db();
    const roles = accessRoles().map((r) => r.id);
    const people: Awaited<ReturnType<typeof createPerson>>[] = [];
    for (let i = 0; i < 24; i++) {
      const person = await createPerson(db);
      // A spread of states: some roles satisfied and granted, some granted only, some neither.
      if (i % 3 !== 2) await satisfyRole(db, person.id, roles[i % roles.length]);
      if (i % 4 !== 3) await grantRole(db, person.id, roles[i % roles.length]);
      if (i % 5 === 0) await grantRole(db, person.id, roles[(i + 1) % roles.length]);
      people.push(person);
    }
    const pairs = Array.from({ length: 1000 }, (_, i) => {
      const person = people[(i * 7) % people.length];
      const user = i % 97 === 0 ? `ghost${i}@test.example` : i % 2 ? person.email.toUpperCase() : person.id;
      return { user, role: i % 89 === 0 ? "no-such-role" : roles[(i * 5) % roles.length] };
    });
    expect(pairs.length).toBeGreaterThanOrEqual(PARALLEL_READ_PAIRS);
    const whole = await checkAccess(db, null, pairs);
    const inSmallBatches: CheckResult[] = [];
    for (let i = 0; i < pairs.length; i += 50)
      inSmallBatches.push(...(await checkAccess(db, null, pairs.slice(i, i + 50))));
    const answer = (r: CheckResult) => ({ user: r.user, role: r.role, decision: r.decision, error: r.error?.code });
    expect(whole.map(answer)).toEqual(inSmallBatches.map(answer));
    expect(new Set(whole.map((r) => r.revision)).size).toBe(1);
    expect(whole.filter((r) => r.decision?.allow).length).toBeGreaterThan(0);
    expect(whole.filter((r) => r.error).length).toBeGreaterThan(0);
    // Every decided pair has its own logged row.
    const ids = whole.filter((r) => r.decision).map((r) => r.decisionId!);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("decides a person named by e-mail in one part of a large batch and by id in the other from all their facts", async () => {
    const db = database.db();
    const person = await createPerson(db);
    await satisfyRole(db, person.id, ROLE);
    await grantRole(db, person.id, ROLE);
    await satisfyRole(db, person.id, "backup-restore-operator");
    await grantRole(db, person.id, "backup-restore-operator");
    const others = [await createPerson(db), await createPerson(db)];
    // People go to the parts in turn as they first appear: the e-mail to the first, the id to the second.
    const pairs = [
      { user: person.email, role: ROLE },
      { user: person.id, role: "backup-restore-operator" },
      ...Array.from({ length: PARALLEL_READ_PAIRS }, (_, i) => ({ user: others[i % 2].id, role: ROLE })),
    ];
    const results = await checkAccess(db, null, pairs);
    expect(results[0].decision).toMatchObject({ allow: true });
    expect(results[1].decision).toMatchObject({ allow: true });
  });

  it("finds people named by e-mail, by id, and the same person both ways (any case) in one read", async () => {
    const db = database.db();
    const a = await createPerson(db, { email: "both.ways@test.example" });
    const b = await createPerson(db);
    await satisfyRole(db, a.id, ROLE);
    await grantRole(db, a.id, ROLE);
    const { resolved, facts } = await loadFactsFor(db, [
      { user: "Both.Ways@test.example", role: ROLE },
      { user: a.id.toUpperCase(), role: ROLE },
      { user: b.id, role: ROLE },
      { user: "nobody@test.example", role: ROLE },
    ]);
    expect(resolved.get("both.ways@test.example")).toBe(a.id);
    expect(resolved.get(a.id)).toBe(a.id);
    expect(resolved.get(b.id)).toBe(b.id);
    expect(resolved.has("nobody@test.example")).toBe(false);
    expect(facts.persons.size).toBe(2);
    expect(decisionFor(facts, a.id, accessRole(ROLE)!, new Date()).allow).toBe(true);
  });

  it.runIf(Boolean(process.env.TEST_DATABASE_URL))(
    "asks PostgreSQL for no JIT compilation on any of the app's connections",
    async () => {
      // As many at once as the pool has connections, so every connection answers.
      const answers = await Promise.all(
        Array.from({ length: POSTGRES_POOL_MAX * 2 }, () =>
          selectRows<{ jit: string; pid: number }>(
            database.db(),
            sql`select current_setting('jit') as jit, pg_backend_pid() as pid, pg_sleep(0.05)`,
          ),
        ),
      );
      expect(new Set(answers.map(([row]) => row.pid)).size).toBeGreaterThan(1);
      expect(new Set(answers.map(([row]) => row.jit))).toEqual(new Set(["off"]));
    },
  );

  it("decides from the facts read for the roles asked exactly as from everything the person has", async () => {
    const db = database.db();
    const person = await createPerson(db);
    await satisfyRole(db, person.id, ROLE, new Date(Date.now() - 400 * 86_400_000)); // expired by now
    await satisfyRole(db, person.id, "support-remote-session", new Date(Date.now() - 30 * 86_400_000));
    await satisfyRole(db, person.id, "support-remote-session"); // renewed: the newer certifications count
    await satisfyRole(db, person.id, "partner-data-exchange", new Date(Date.now() + 86_400_000)); // issued tomorrow: not yet
    await grantRole(db, person.id, ROLE);
    await grantRole(db, person.id, "support-remote-session");
    await grantRole(db, person.id, "backup-restore-operator", new Date(), new Date(Date.now() + 86_400_000));
    await grantRole(db, person.id, "partner-data-exchange", new Date(Date.now() - 86_400_000));
    await db.insert(accessGrants).values({
      personId: person.id,
      roleId: "payment-data-admin",
      status: "revoked",
      justification: "x",
      requestedAt: new Date(Date.now() - 9e7),
      decidedAt: new Date(Date.now() - 9e7),
      revokedAt: new Date(Date.now() - 1000),
    });
    await db.insert(accessGrants).values({
      personId: person.id,
      roleId: "customer-data-export",
      status: "requested",
      justification: "x",
      requestedAt: new Date(),
    });
    const everything = await loadDecisionFacts(db, [person.id]);
    const now = new Date();
    const answers = [];
    for (const role of accessRoles()) {
      const { facts, resolved } = await loadFactsFor(db, [{ user: person.email.toUpperCase(), role: role.id }]);
      expect(resolved.get(person.email)).toBe(person.id);
      const narrow = decisionFor(facts, person.id, role, now);
      expect(narrow).toEqual(decisionFor(everything, person.id, role, now));
      // Read as of a moment, only what decides then is loaded, and decides the same.
      const asOf = await loadFactsFor(db, [{ user: person.id, role: role.id }], { asOf: now });
      expect(decisionFor(asOf.facts, person.id, role, now)).toEqual(narrow);
      answers.push(narrow);
    }
    // The fixture covers allowed and denied answers with several reasons.
    expect(answers.some((a) => a.allow)).toBe(true);
    expect(answers.flatMap((a) => a.reasons)).toEqual(
      expect.arrayContaining(["no_grant", expect.stringMatching(/^course_expired:/)]),
    );
  });

  it("lists holders as JSON and CSV", async () => {
    const db = database.db();
    const holder = await createPerson(db, { name: "=Holder, First" });
    await satisfyRole(db, holder.id, ROLE);
    await grantRole(db, holder.id, ROLE);
    const blocked = await createPerson(db);
    await grantRole(db, blocked.id, ROLE);
    const { token: t } = await token(["access:read"]);
    const json = await (await holdersGet(get(`/access/holders?role=${ROLE}`, t))).json();
    const ids = json.holders.map((h: { id: string }) => h.id);
    expect(ids).toContain(holder.id);
    expect(ids).not.toContain(blocked.id);
    const csv = await (await holdersGet(get(`/access/holders?role=${ROLE}&format=csv`, t))).text();
    expect(csv).toContain(`"'=Holder, First"`);
  });

  it("flags a data operation by a person who was not cleared", async () => {
    const db = database.db();
    const cleared = await createPerson(db);
    await satisfyRole(db, cleared.id, ROLE);
    await grantRole(db, cleared.id, ROLE, new Date(Date.now() - 60_000));
    const uncleared = await createPerson(db);
    const { token: t } = await token(["events:write"]);
    const at = new Date().toISOString();
    const res = await eventsPost(
      post(
        "/events",
        {
          events: [
            { user: cleared.email, action: "customer.view", resource: "customer:1", occurred_at: at, role: ROLE },
            { user: uncleared.email, action: "customer.export", resource: "customer:2", occurred_at: at, role: ROLE },
          ],
        },
        t,
      ),
    );
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.results.map((r: { cleared: boolean }) => r.cleared)).toEqual([true, false]);
    expect(body.results[1].reasons).toContain("no_grant");
    const [row] = await db.select().from(dataOperationEvents).where(eq(dataOperationEvents.personId, uncleared.id));
    expect(row).toMatchObject({ cleared: false, action: "customer.export", roleId: ROLE });
    const invalid = await eventsPost(
      post("/events", { user: cleared.email, action: "", resource: "x", occurred_at: "yesterday" }, t),
    );
    expect(invalid.status).toBe(400);
  });
});
