import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { openDatabase } from "@/db/client";
import { accessGrants, certifications, people } from "@/db/schema";
import { currentRevision } from "@/lib/access/changes";
import { checkAccess, type CheckResult } from "@/lib/access/check";
import { accessRole, accessRoles, decisionFor, loadFactsFor } from "@/lib/access/facts";
import { decideHeld, FactsCache, factsCacheFor } from "@/lib/access/facts-cache";

import { grantRole, satisfyRole } from "../helpers/access-fixtures";
import { createPerson } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
const ROLE = "customer-pii-read";
const COURSE = accessRole(ROLE)!.courses[0];

const check = (user: string, role = ROLE) => checkAccess(database.db(), null, [{ user, role }]).then(([r]) => r);
const answer = (r: CheckResult) => ({ user: r.user, role: r.role, decision: r.decision, error: r.error?.code });

async function clearedPerson() {
  const db = database.db();
  const person = await createPerson(db);
  await satisfyRole(db, person.id, ROLE);
  await grantRole(db, person.id, ROLE);
  return person;
}

describe("access facts kept between checks while the access revision stands", () => {
  it("keeps the facts of checked pairs and answers from them as from a fresh read", async () => {
    const db = database.db();
    const person = await clearedPerson();
    const first = await check(person.email);
    expect(first.decision).toMatchObject({ allow: true });
    const cache = factsCacheFor(db)!;
    expect(cache.size).toBeGreaterThan(0);
    const again = await check(person.email.toUpperCase());
    expect(answer(again)).toEqual({ ...answer(first), user: person.email.toUpperCase() });
    // Asked as of a moment (read anew, never from the cache), the answer is the same.
    const [asOf] = await checkAccess(db, null, [{ user: person.id, role: ROLE }], new Date());
    expect(asOf.decision).toEqual(again.decision);
  });

  it("denies at once after a revocation, an expiry, a suspension or a deletion committed since", async () => {
    const db = database.db();
    const revoked = await clearedPerson();
    const expired = await clearedPerson();
    const suspended = await clearedPerson();
    const removed = await clearedPerson();
    for (const p of [revoked, expired, suspended, removed]) expect((await check(p.id)).decision?.allow).toBe(true);

    await db
      .update(accessGrants)
      .set({ status: "revoked", revokedAt: new Date() })
      .where(eq(accessGrants.personId, revoked.id));
    expect((await check(revoked.id)).decision).toMatchObject({ allow: false, reasons: ["grant_revoked"] });

    await db
      .update(certifications)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(certifications.personId, expired.id));
    expect((await check(expired.email)).decision?.reasons).toContain(`course_expired:${COURSE}`);

    // A person's status is read at every check, whatever the cache holds.
    await db.update(people).set({ status: "suspended" }).where(eq(people.id, suspended.id));
    expect((await check(suspended.id)).decision?.reasons).toContain("account_inactive");

    await db.delete(certifications).where(eq(certifications.personId, removed.id));
    expect((await check(removed.id)).decision?.reasons).toContain(`course_missing:${COURSE}`);
  });

  it("follows the clock without a change: a certification issued ahead starts, one expiring ends, a grant ends", async () => {
    const db = database.db();
    const starting = await createPerson(db);
    await grantRole(db, starting.id, ROLE);
    await satisfyRole(db, starting.id, ROLE, new Date(Date.now() + 1500)); // issued 1.5 s from now (another instance's clock)
    const ending = await clearedPerson();
    await db
      .update(certifications)
      .set({ expiresAt: new Date(Date.now() + 1500) })
      .where(eq(certifications.personId, ending.id));
    const grantEnding = await createPerson(db);
    await satisfyRole(db, grantEnding.id, ROLE);
    await grantRole(db, grantEnding.id, ROLE, new Date(), new Date(Date.now() + 1500));
    const asked = [
      { user: starting.id, role: ROLE },
      { user: ending.id, role: ROLE },
      { user: grantEnding.email, role: ROLE },
    ];
    // Asked twice: the second answers come from the facts (and decisions) kept by the first.
    await checkAccess(db, null, asked);
    const [before, stillOk, grantStillOk] = await checkAccess(db, null, asked);
    expect(before.decision?.allow).toBe(false);
    expect(stillOk.decision).toMatchObject({ allow: true });
    expect(grantStillOk.decision).toMatchObject({ allow: true });
    expect(new Date(stillOk.decision!.valid_until!).getTime()).toBeLessThanOrEqual(Date.now() + 1500);
    const revision = await currentRevision(db);

    await new Promise((resolve) => setTimeout(resolve, 1800));
    const [after, ended, grantEnded] = await checkAccess(db, null, asked);
    expect(after.revision).toBe(revision); // nothing changed in the database meanwhile
    expect(after.decision).toMatchObject({ allow: true });
    expect(ended.decision?.reasons).toContain(`course_expired:${COURSE}`);
    expect(grantEnded.decision?.reasons).toEqual(["grant_ended"]);
  });

  it("follows a changed e-mail address: the old address names nobody, the new one the person", async () => {
    const db = database.db();
    const person = await clearedPerson();
    expect((await check(person.email)).decision?.allow).toBe(true);
    const newEmail = `moved.${person.email}`;
    await db.update(people).set({ email: newEmail }).where(eq(people.id, person.id));
    expect((await check(person.email)).error?.code).toBe("unknown_user");
    expect((await check(newEmail)).decision?.allow).toBe(true);
    // Another person takes the old address: it names them now, with their own facts.
    const other = await createPerson(db, { email: person.email });
    const nobodysFacts = { allow: false, reasons: expect.arrayContaining(["no_grant", `course_missing:${COURSE}`]) };
    expect((await check(person.email)).decision).toMatchObject(nobodysFacts);
    expect((await check(other.id)).decision).toMatchObject(nobodysFacts);
    expect((await check(person.id)).decision?.allow).toBe(true);
  });

  it("keeps nothing read inside a transaction, in it or after it rolls back", async () => {
    const db = database.db();
    const person = await createPerson(db);
    await satisfyRole(db, person.id, ROLE);
    await db
      .transaction(async (tx) => {
        // Inside a transaction the revision moves only at commit: nothing read in it may answer a later check in it.
        const [before] = await checkAccess(tx, null, [{ user: person.id, role: ROLE }]);
        expect(before.decision?.allow).toBe(false);
        await tx.insert(accessGrants).values({
          personId: person.id,
          roleId: ROLE,
          status: "approved",
          justification: "rolled back",
          requestedAt: new Date(),
          decidedAt: new Date(),
        });
        const [inside] = await checkAccess(tx, null, [{ user: person.id, role: ROLE }]);
        expect(inside.decision?.allow).toBe(true);
        throw new Error("roll back");
      })
      .catch((error: Error) => expect(error.message).toBe("roll back"));
    expect((await check(person.id)).decision).toMatchObject({ allow: false, reasons: ["no_grant"] });
  });

  it("never answers at a revision with facts older than it, with 30 checks racing a revocation", async () => {
    const db = database.db();
    const person = await clearedPerson();
    expect((await check(person.id)).decision?.allow).toBe(true); // cached
    const checks = Array.from({ length: 30 }, (_, i) =>
      new Promise((resolve) => setTimeout(resolve, i % 10)).then(() => check(i % 2 ? person.id : person.email)),
    );
    const revoke = db
      .update(accessGrants)
      .set({ status: "revoked", revokedAt: new Date() })
      .where(eq(accessGrants.personId, person.id))
      .then(() => currentRevision(db));
    const [results, revokedAt] = await Promise.all([Promise.all(checks), revoke]);
    for (const r of results) {
      if (r.revision >= revokedAt) expect(r.decision).toMatchObject({ allow: false, reasons: ["grant_revoked"] });
      else expect(r.decision?.allow).toBe(true);
    }
    expect((await check(person.id)).decision?.reasons).toEqual(["grant_revoked"]);
  });

  it("answers a mixed batch, half held and half not, exactly as fresh reads, and within a small cache's bound", async () => {
    const db = database.db();
    const roles = accessRoles().map((r) => r.id);
    const crowd = [];
    for (let i = 0; i < 12; i++) {
      const person = await createPerson(db);
      if (i % 3) await satisfyRole(db, person.id, roles[i % roles.length]);
      if (i % 4) await grantRole(db, person.id, roles[i % roles.length]);
      crowd.push(person);
    }
    const pairs = crowd.flatMap((p, i) => roles.map((role) => ({ user: i % 2 ? p.email : p.id, role })));
    await checkAccess(db, null, pairs.slice(0, pairs.length / 2)); // the first half held
    const mixed = await checkAccess(db, null, pairs);
    const fresh = await checkAccess(db, null, pairs, new Date());
    expect(mixed.map(answer)).toEqual(fresh.map(answer));
    expect(mixed.some((r) => r.decision?.allow)).toBe(true);

    // A cache of three pairs, asked for all of them twice: the least recently used go, and answers stay the same.
    const small = new FactsCache(3);
    const now = new Date();
    for (let round = 0; round < 2; round++) {
      const lookup = small.lookup(pairs);
      const loaded = await loadFactsFor(db, pairs, { known: lookup.known });
      const held = small.complete(pairs, lookup, loaded);
      expect(small.size).toBe(3);
      const decided = pairs.map(({ user, role }) => {
        const personId = loaded.resolved.get(user.toLowerCase())!;
        const entry = held.get(`${personId} ${role}`);
        return entry
          ? decideHeld(entry, loaded.facts, personId, accessRole(role)!, now)
          : decisionFor(loaded.facts, personId, accessRole(role)!, now);
      });
      const expected = pairs.map(({ user, role }) => fresh.find((r) => r.user === user && r.role === role)!.decision!);
      expect(decided.map((d) => d.allow)).toEqual(expected.map((d) => d.allow));
      expect(decided.map((d) => d.reasons)).toEqual(expected.map((d) => d.reasons));
    }
  });
});

describe.runIf(Boolean(process.env.TEST_DATABASE_URL))(
  "access facts held by one instance, changed through another",
  () => {
    it("denies on this instance as soon as another instance's revocation has committed", async () => {
      const db = database.db();
      const person = await clearedPerson();
      expect((await check(person.id)).decision?.allow).toBe(true);
      const name = (await db.execute(sql`select current_database() as name`)) as unknown as { name: string }[];
      const url = new URL(process.env.TEST_DATABASE_URL!);
      url.pathname = `/${name[0].name}`;
      const other = await openDatabase({ url: url.toString() });
      try {
        await other.db
          .update(accessGrants)
          .set({ status: "revoked", revokedAt: new Date() })
          .where(eq(accessGrants.personId, person.id));
      } finally {
        await other.close();
      }
      expect((await check(person.id)).decision?.reasons).toEqual(["grant_revoked"]);
    });
  },
);
