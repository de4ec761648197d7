import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { accessGrants, assignments } from "@/db/schema";
import { getCourse } from "@/lib/content";
import { syncAssignments } from "@/lib/training/assignments";

import { grantRole } from "../helpers/access-fixtures";
import { createPerson } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

/**
 * A course whose audience names data-access roles is assigned to the people
 * who hold one now, and to nobody whose grant was revoked or has ended.
 */

const database = withTestDatabase();
const COURSE = "insider-risk";

describe("audiences by data-access role", () => {
  it("assign the course to current holders only", async () => {
    const db = database.db();
    const roles = getCourse(COURSE)!.assignTo.accessRoles!;
    expect(roles.length).toBeGreaterThan(0);
    const now = new Date();
    const holder = await createPerson(db);
    const revoked = await createPerson(db);
    const ended = await createPerson(db);
    const nobody = await createPerson(db);
    await grantRole(db, holder.id, roles[0], new Date(now.getTime() - 1000));
    const revokedGrant = await grantRole(db, revoked.id, roles[0], new Date(now.getTime() - 1000));
    await db.update(accessGrants).set({ status: "revoked", revokedAt: now }).where(eq(accessGrants.id, revokedGrant));
    await grantRole(db, ended.id, roles[0], new Date(now.getTime() - 5000), new Date(now.getTime() - 1000));

    await syncAssignments(db, { personIds: [holder.id, revoked.id, ended.id, nobody.id], now });
    const assigned = async (personId: string) =>
      (
        await db
          .select()
          .from(assignments)
          .where(and(eq(assignments.personId, personId), eq(assignments.courseId, COURSE)))
      ).length;
    expect(await assigned(holder.id)).toBe(1);
    expect(await assigned(revoked.id)).toBe(0);
    expect(await assigned(ended.id)).toBe(0);
    expect(await assigned(nobody.id)).toBe(0);
  });
});
