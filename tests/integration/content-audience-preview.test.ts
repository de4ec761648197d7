import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { accessGrants, departments } from "@/db/schema";
import { previewAudience } from "@/lib/content/audience-preview";
import { ForbiddenError } from "@/lib/errors";

import { createPerson, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
const DAY = 86_400_000;

async function organisation() {
  const db = database.db();
  await db.execute(sql`truncate people, departments cascade`);
  await db.insert(departments).values([
    { id: "support", name: "Customer Support" },
    { id: "legal", name: "Legal" },
    { id: "sales", name: "Sales" },
  ]);
  const admin = await createPerson(db, { name: "Ada Admin", roles: ["compliance_admin"], departmentId: "legal" });
  const people = {
    admin,
    support: await createPerson(db, { name: "Sam Support", departmentId: "support" }),
    manager: await createPerson(db, { name: "Mia Manager", roles: ["manager"], departmentId: "sales" }),
    sales: await createPerson(db, { name: "Sol Sales", departmentId: "sales" }),
    suspended: await createPerson(db, {
      name: "Sue Suspended",
      roles: ["manager"],
      departmentId: "support",
      status: "suspended",
    }),
    departed: await createPerson(db, {
      name: "Dan Departed",
      roles: ["manager"],
      departmentId: "support",
      status: "departed",
    }),
  };
  return { db, viewer: viewerOf(admin), people };
}

function grant(personId: string, roleId: string, fields: Partial<typeof accessGrants.$inferInsert> = {}) {
  const decided = new Date(Date.now() - 10 * DAY);
  return {
    personId,
    roleId,
    status: "approved" as const,
    justification: "work",
    requestedAt: decided,
    decidedAt: decided,
    ...fields,
  };
}

describe("the audience preview of the draft editor", () => {
  it("counts active people by department and app role, never the suspended or departed, and names them in order", async () => {
    const { db, viewer } = await organisation();
    expect(await previewAudience(db, viewer, { everyone: true })).toMatchObject({
      count: 4,
      names: ["Ada Admin", "Mia Manager", "Sam Support", "Sol Sales"],
    });
    expect(await previewAudience(db, viewer, { departments: ["support"] })).toMatchObject({
      count: 1,
      names: ["Sam Support"],
    });
    expect(await previewAudience(db, viewer, { appRoles: ["manager"] })).toMatchObject({
      count: 1,
      names: ["Mia Manager"],
    });
    expect(
      await previewAudience(db, viewer, { departments: ["sales"], appRoles: ["manager", "compliance_admin"] }),
    ).toMatchObject({
      count: 3,
      names: ["Ada Admin", "Mia Manager", "Sol Sales"],
    });
    expect(await previewAudience(db, viewer, { everyone: true }, { limit: 2 })).toMatchObject({
      count: 4,
      names: ["Ada Admin", "Mia Manager"],
    });
  });

  it("counts access-role holders only while their grant is approved and neither revoked nor ended", async () => {
    const { db, viewer, people } = await organisation();
    const now = new Date();
    await db
      .insert(accessGrants)
      .values([
        grant(people.support.id, "customer-pii-read"),
        grant(people.sales.id, "customer-pii-read", { endsAt: new Date(now.getTime() - DAY) }),
        grant(people.manager.id, "customer-pii-read", { status: "revoked", revokedAt: new Date(now.getTime() - DAY) }),
        grant(people.admin.id, "customer-pii-read", { status: "requested", decidedAt: null }),
        grant(people.suspended.id, "customer-pii-read"),
        grant(people.departed.id, "customer-pii-read"),
        grant(people.sales.id, "customer-data-export", { endsAt: new Date(now.getTime() + DAY) }),
      ]);
    expect(await previewAudience(db, viewer, { accessRoles: ["customer-pii-read"] }, { now })).toMatchObject({
      count: 1,
      names: ["Sam Support"],
    });
    expect(
      await previewAudience(db, viewer, { accessRoles: ["customer-pii-read", "customer-data-export"] }, { now }),
    ).toMatchObject({
      count: 2,
      names: ["Sam Support", "Sol Sales"],
    });
    // A grant that has ended by the time asked about no longer counts.
    expect(
      await previewAudience(
        db,
        viewer,
        { accessRoles: ["customer-data-export"] },
        { now: new Date(now.getTime() + 2 * DAY) },
      ),
    ).toMatchObject({ count: 0, names: [] });
  });

  it("counts named people by their address in any case, and lists addresses of nobody active", async () => {
    const { db, viewer, people } = await organisation();
    const rule = {
      people: [people.sales.email.toUpperCase(), people.suspended.email, "nobody@example.test"].map((e) =>
        e.toLowerCase(),
      ),
      departments: ["support" as const],
    };
    expect(await previewAudience(db, viewer, rule)).toEqual({
      count: 2,
      names: ["Sam Support", "Sol Sales"],
      unknown: [people.suspended.email.toLowerCase(), "nobody@example.test"],
      inForce: true,
    });
  });

  it("counts who a dated audience covers while it applies, and says whether it applies today", async () => {
    const { db, viewer } = await organisation();
    const now = new Date("2027-03-10T12:00:00Z");
    const rule = { departments: ["sales" as const], from: "2027-04-01", until: "2027-06-30" };
    expect(await previewAudience(db, viewer, rule, { now })).toEqual({
      count: 2,
      names: ["Mia Manager", "Sol Sales"],
      unknown: [],
      inForce: false,
    });
    expect(await previewAudience(db, viewer, rule, { now: new Date("2027-06-30T23:59:00Z") })).toMatchObject({
      count: 2,
      inForce: true,
    });
  });

  it("is for compliance admins only", async () => {
    const { db, people } = await organisation();
    const manager = viewerOf(people.manager);
    await expect(previewAudience(db, manager, { everyone: true })).rejects.toThrow(ForbiddenError);
  });
});
