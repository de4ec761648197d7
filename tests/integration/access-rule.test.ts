import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { GET as holdersGet } from "@/app/api/v1/access/holders/route";
import { accessGrants, signatures } from "@/db/schema";
import { createApiClient } from "@/lib/access/api-clients";
import { revokeGrant } from "@/lib/access/approvals";
import { checkAccess } from "@/lib/access/check";
import { accessOverview } from "@/lib/access/my-access";
import { getAgreementTemplate } from "@/lib/content";
import { DAY } from "@/lib/time";

import { grantRole, satisfyRole } from "../helpers/access-fixtures";
import { context, createPerson, employeeSignature, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
const ROLE = "customer-pii-read";
const ago = (days: number) => new Date(Date.now() - days * DAY);

async function check(personId: string) {
  const [result] = await checkAccess(database.db(), null, [{ user: personId, role: ROLE }]);
  return result.decision!;
}

describe("the access rule with several records", () => {
  it("after a renewal the holders list reports the grant in effect, not the ended one", async () => {
    const db = database.db();
    const admin = viewerOf(await createPerson(db, { roles: ["compliance_admin"] }));
    const person = await createPerson(db, { name: "Renewed Holder" });
    await satisfyRole(db, person.id, ROLE, ago(10));
    await grantRole(db, person.id, ROLE, ago(400), ago(35)); // the first grant, ended
    const renewed = ago(30);
    const renewedEnds = new Date(renewed.getTime() + 365 * DAY);
    await grantRole(db, person.id, ROLE, renewed, renewedEnds);

    const decision = await check(person.id);
    expect(decision.allow).toBe(true);
    const { token } = await createApiClient(admin, context(admin.id), { name: "reviews", scopes: ["access:read"] });
    const response = await holdersGet(
      new Request(`http://localhost/api/v1/access/holders?role=${ROLE}`, {
        headers: { authorization: `Bearer ${token}` },
      }),
    );
    const { holders } = await response.json();
    expect(holders).toEqual([
      expect.objectContaining({
        id: person.id,
        grant_ends_at: renewedEnds.toISOString(),
        valid_until: decision.valid_until!.toISOString(),
      }),
    ]);
    // The person's own page shows the same grant.
    const view = (await accessOverview(person.id)).find((v) => v.role.id === ROLE)!;
    expect(view.grant?.endsAt).toEqual(renewedEnds);
  });

  it("an older valid agreement still counts when a newer signature is of an older version", async () => {
    const db = database.db();
    const person = await createPerson(db);
    await satisfyRole(db, person.id, ROLE, ago(10));
    await grantRole(db, person.id, ROLE, ago(10));
    const nda = getAgreementTemplate("employee-nda")!;
    await db.insert(signatures).values(
      employeeSignature({
        agreementId: nda.id,
        agreementVersion: "0.9.0",
        personId: person.id,
        signedAt: ago(1),
        renewalDueAt: new Date(Date.now() + 700 * DAY),
      }),
    );
    expect(await check(person.id)).toMatchObject({ allow: true, reasons: [] });
  });

  it("revoking a grant ends the role: every approved grant for it is revoked, and a later approval restores it", async () => {
    const db = database.db();
    const admin = viewerOf(await createPerson(db, { roles: ["compliance_admin"] }));
    const person = await createPerson(db);
    await satisfyRole(db, person.id, ROLE, ago(10));
    const older = await grantRole(db, person.id, ROLE, ago(20), new Date(Date.now() + 300 * DAY));
    const newer = await grantRole(db, person.id, ROLE, ago(5), new Date(Date.now() + 100 * DAY));
    expect((await check(person.id)).valid_until?.getTime()).toBeGreaterThan(Date.now() + 200 * DAY); // the grant ending last

    await revokeGrant(admin, context(admin.id), newer, "left the support team");
    const rows = await db
      .select({ id: accessGrants.id, status: accessGrants.status })
      .from(accessGrants)
      .where(eq(accessGrants.personId, person.id));
    expect(rows.map((r) => r.status)).toEqual(["revoked", "revoked"]);
    expect(rows.map((r) => r.id).sort()).toEqual([older, newer].sort());
    expect(await check(person.id)).toEqual({ allow: false, reasons: ["grant_revoked"], valid_until: null });

    // Even a grant approved before the revocation but left approved (written by anything else) no longer counts.
    await db.update(accessGrants).set({ status: "approved", revokedAt: null }).where(eq(accessGrants.id, older));
    expect((await check(person.id)).reasons).toEqual(["grant_revoked"]);

    await grantRole(db, person.id, ROLE, new Date(Date.now() + 1000), new Date(Date.now() + 50 * DAY));
    const [later] = await checkAccess(db, null, [{ user: person.id, role: ROLE }], new Date(Date.now() + 2000));
    expect(later.decision?.allow).toBe(true);
  });
});
