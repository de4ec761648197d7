import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { accessGrants } from "@/db/schema";
import { decideRequest, requestAccess, revokeGrant } from "@/lib/access/approvals";
import { context, createPerson, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
// Approved by the requester's manager (content/access-roles.yaml).
const ROLE = "customer-pii-read";

async function team() {
  const db = database.db();
  const manager = viewerOf(await createPerson(db, { name: "Priya Nair", roles: ["manager"] }));
  const otherManager = viewerOf(await createPerson(db, { name: "Isabel Costa", roles: ["manager"] }));
  const admin = viewerOf(await createPerson(db, { name: "Carmen Díaz", roles: ["compliance_admin"] }));
  const employee = viewerOf(await createPerson(db, { name: "Ana Silva", managerId: manager.id }));
  const colleague = viewerOf(await createPerson(db, { name: "Noah Kim", managerId: manager.id }));
  return { manager, otherManager, admin, employee, colleague };
}

async function grantRow(id: string) {
  const [row] = await database.db().select().from(accessGrants).where(eq(accessGrants.id, id));
  return row;
}

describe("access approvals: only the person's own approvers", () => {
  it("refuses another team's manager, a colleague and the requester as if the request did not exist, and changes nothing", async () => {
    const { manager, otherManager, admin, employee, colleague } = await team();
    const grant = await requestAccess(employee, context(employee.id), ROLE, "I answer tickets with customer data.");
    const before = await grantRow(grant.id);

    for (const outsider of [otherManager, colleague, employee]) {
      await expect(decideRequest(outsider, context(outsider.id), grant.id, { approve: true })).rejects.toThrow("That request does not exist.");
    }
    expect(await grantRow(grant.id)).toEqual(before);

    await decideRequest(manager, context(manager.id), grant.id, { approve: true });
    expect((await grantRow(grant.id)).status).toBe("approved");

    for (const outsider of [otherManager, colleague, employee]) {
      await expect(revokeGrant(outsider, context(outsider.id), grant.id, "no longer needed")).rejects.toThrow("That grant does not exist.");
    }
    expect((await grantRow(grant.id)).status).toBe("approved");
    await revokeGrant(admin, context(admin.id), grant.id, "left the support team");
    expect((await grantRow(grant.id)).status).toBe("revoked");
  });
});
