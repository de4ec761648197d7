import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { auditEvents, certifications, people } from "@/db/schema";
import { DEMO_ACCOUNTS, seedDemoOrganisation } from "@/db/seed";
import { DomainError, ForbiddenError } from "@/lib/errors";
import { listPeople, setPersonRoles, setPersonStatus } from "@/lib/people/manage-people";
import { overviewFromDatabase } from "@/lib/reports/overview";

import { context, createPerson, reload, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();

describe("people administration", () => {
  it("lets a compliance admin suspend and restore someone, audited", async () => {
    const db = database.db();
    const admin = viewerOf(await createPerson(db, { roles: ["compliance_admin"] }));
    const person = await createPerson(db);
    await setPersonStatus(admin, context(admin.id), person.id, "suspended");
    expect((await reload(db, person.id)).status).toBe("suspended");
    await setPersonStatus(admin, context(admin.id), person.id, "departed");
    expect((await reload(db, person.id)).departedAt).not.toBeNull();
    const events = await db
      .select({ action: auditEvents.action, data: auditEvents.data })
      .from(auditEvents)
      .where(eq(auditEvents.targetId, person.id));
    expect(events).toEqual([
      { action: "person.status_changed", data: { from: "active", to: "suspended" } },
      { action: "person.status_changed", data: { from: "suspended", to: "departed" } },
    ]);
  });

  it("changes roles, always keeping employee, audited", async () => {
    const db = database.db();
    const admin = viewerOf(await createPerson(db, { roles: ["compliance_admin"] }));
    const person = await createPerson(db);
    await setPersonRoles(admin, context(admin.id), person.id, ["manager", "auditor"]);
    expect((await reload(db, person.id)).roles).toEqual(["auditor", "employee", "manager"]);
    const [event] = await db
      .select({ data: auditEvents.data })
      .from(auditEvents)
      .where(eq(auditEvents.action, "person.roles_changed"));
    expect(event.data).toEqual({ from: ["employee"], to: ["auditor", "employee", "manager"] });
  });

  it("refuses employees, managers and auditors changing people", async () => {
    const db = database.db();
    const person = await createPerson(db);
    for (const roles of [[], ["manager"], ["auditor"]] as const) {
      const viewer = viewerOf(await createPerson(db, { roles: [...roles] }));
      await expect(setPersonStatus(viewer, context(viewer.id), person.id, "suspended")).rejects.toThrow(ForbiddenError);
      await expect(setPersonRoles(viewer, context(viewer.id), person.id, ["compliance_admin"])).rejects.toThrow(
        ForbiddenError,
      );
    }
    const employee = viewerOf(await createPerson(db));
    await expect(listPeople(employee)).rejects.toThrow(ForbiddenError);
  });

  it("stops an admin locking themselves out", async () => {
    const db = database.db();
    const admin = viewerOf(await createPerson(db, { roles: ["compliance_admin"] }));
    await expect(setPersonStatus(admin, context(admin.id), admin.id, "suspended")).rejects.toThrow(DomainError);
    await expect(setPersonRoles(admin, context(admin.id), admin.id, [])).rejects.toThrow(DomainError);
  });
});

describe("demo organisation", () => {
  it("seeds about 40 people in 5+ departments with two levels of managers, and seeding twice changes nothing", async () => {
    const db = database.db();
    await db.execute(sql`truncate people, departments cascade`);
    const first = await seedDemoOrganisation(db, { history: false });
    expect(first.created).toBeGreaterThanOrEqual(38);
    const second = await seedDemoOrganisation(db);
    expect(second.created).toBe(0);
    const rows = await db
      .select({ id: people.id, managerId: people.managerId, roles: people.roles, departmentId: people.departmentId })
      .from(people);
    expect(new Set(rows.map((r) => r.departmentId)).size).toBeGreaterThanOrEqual(5);
    expect(rows.filter((r) => r.roles.includes("compliance_admin"))).toHaveLength(1);
    expect(rows.filter((r) => r.roles.includes("auditor"))).toHaveLength(1);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const depth = (id: string): number => (byId.get(id)?.managerId ? 1 + depth(byId.get(id)!.managerId!) : 0);
    expect(Math.max(...rows.map((r) => depth(r.id)))).toBeGreaterThanOrEqual(3);
  });

  it("has a year of training history: a trend point for every month, rising, while the demo accounts keep their work", async () => {
    const db = database.db();
    await db.execute(sql`truncate people, departments, course_releases cascade`);
    await seedDemoOrganisation(db);
    const overview = await overviewFromDatabase(db, new Date());
    expect(overview.trend).toHaveLength(12);
    for (const point of overview.trend) expect(point.rate).not.toBeNull();
    const [first, last] = [overview.trend[0].rate!, overview.trend.at(-1)!.rate!];
    expect(last).toBeGreaterThan(first);
    expect(last).toBeGreaterThanOrEqual(60);
    expect(last).toBeLessThan(100);

    // Certifications rest on passed attempts, and a renewal follows the first one.
    const held = await db
      .select({ email: people.email, n: sql<number>`count(${certifications.id})::int` })
      .from(people)
      .leftJoin(certifications, eq(certifications.personId, people.id))
      .groupBy(people.email);
    const count = new Map(held.map((r) => [r.email, r.n]));
    for (const email of Object.values(DEMO_ACCOUNTS)) expect(count.get(email)).toBe(0);
    expect([...count.values()].filter((n) => n > 0).length).toBeGreaterThan(25);

    // Seeding again adds nothing.
    const before = await db.select({ n: sql<number>`count(*)::int` }).from(certifications);
    await seedDemoOrganisation(db);
    expect(await db.select({ n: sql<number>`count(*)::int` }).from(certifications)).toEqual(before);
  });
});
