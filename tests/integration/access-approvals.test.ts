import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { accessGrants } from "@/db/schema";
import {
  GRANTS_PAGE_SIZE,
  parseApprovalFilters,
  PENDING_PAGE_SIZE,
  pendingApprovals,
  revocableGrants,
} from "@/lib/access/approval-lists";
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
      await expect(decideRequest(outsider, context(outsider.id), grant.id, { approve: true })).rejects.toThrow(
        "That request does not exist.",
      );
    }
    expect(await grantRow(grant.id)).toEqual(before);

    await decideRequest(manager, context(manager.id), grant.id, { approve: true });
    expect((await grantRow(grant.id)).status).toBe("approved");

    for (const outsider of [otherManager, colleague, employee]) {
      await expect(revokeGrant(outsider, context(outsider.id), grant.id, "no longer needed")).rejects.toThrow(
        "That grant does not exist.",
      );
    }
    expect((await grantRow(grant.id)).status).toBe("approved");
    await revokeGrant(admin, context(admin.id), grant.id, "left the support team");
    expect((await grantRow(grant.id)).status).toBe("revoked");
  });
});

describe("access approvals: the lists an approver works through", () => {
  it("pages pending requests oldest first, filters by person and role, and shows each approver only their own", async () => {
    const db = database.db();
    const { manager, otherManager, admin, colleague } = await team();
    const base = Date.parse("2026-11-01T09:00:00Z");
    const reports = [];
    for (let i = 0; i < 26; i++) {
      const name = i === 3 ? "Percy 50% Test" : i === 4 ? "Percy 500 Test" : `Report ${String(i).padStart(2, "0")}`;
      reports.push(viewerOf(await createPerson(db, { name, managerId: manager.id })));
    }
    for (const [i, report] of reports.entries())
      await requestAccess(report, context(report.id), ROLE, "Support work.", new Date(base + i * 60_000));
    // Not Priya's report, and an approver's own request: neither is Priya's to decide.
    const outsider = viewerOf(await createPerson(db, { name: "Olivia Grant" }));
    await requestAccess(outsider, context(outsider.id), ROLE, "Support work.", new Date(base + 30 * 60_000));
    await requestAccess(admin, context(admin.id), ROLE, "Audits.", new Date(base + 31 * 60_000));

    const first = await pendingApprovals(manager, parseApprovalFilters({}));
    // Ana Silva and Noah Kim (from team()) have not asked; the 26 reports have.
    expect(first).toMatchObject({ total: 26, page: 1, pageCount: 2, pageSize: PENDING_PAGE_SIZE });
    expect(first.rows).toHaveLength(25);
    expect(first.rows[0].name).toBe("Report 00");
    expect(first.rows.map((r) => r.requestedAt.getTime())).toEqual(
      [...first.rows.map((r) => r.requestedAt.getTime())].sort((a, b) => a - b),
    );
    const second = await pendingApprovals(manager, parseApprovalFilters({ page: "2" }));
    expect(second.rows.map((r) => r.name)).toEqual(["Report 25"]);
    // A page past the end (a shared link after requests were decided) shows the last page.
    expect((await pendingApprovals(manager, parseApprovalFilters({ page: "40" }))).page).toBe(2);

    // Compliance sees everyone's requests but their own.
    const all = await pendingApprovals(admin, parseApprovalFilters({}));
    expect(all.total).toBe(27);
    expect((await pendingApprovals(admin, parseApprovalFilters({ q: "olivia" }))).rows.map((r) => r.name)).toEqual([
      "Olivia Grant",
    ]);
    expect((await pendingApprovals(admin, parseApprovalFilters({ q: "Carmen" }))).total).toBe(0);

    // The search is taken as typed: "50%" is not a pattern that also finds "500".
    expect((await pendingApprovals(manager, parseApprovalFilters({ q: "percy 50%" }))).rows.map((r) => r.name)).toEqual(
      ["Percy 50% Test"],
    );
    expect((await pendingApprovals(manager, parseApprovalFilters({ role: "customer-data-export" }))).total).toBe(0);
    // An unknown role or a malformed page filters nothing.
    expect((await pendingApprovals(manager, parseApprovalFilters({ role: "no-such-role", page: "-3" }))).total).toBe(
      26,
    );
    // A manager with no reports has nothing to decide; an employee may not look.
    expect((await pendingApprovals(otherManager, parseApprovalFilters({}))).total).toBe(0);
    await expect(pendingApprovals(colleague, parseApprovalFilters({}))).rejects.toThrow(
      "You do not have permission to do that.",
    );

    // Decided requests move to the grants list, newest decision first.
    for (const [i, r] of first.rows.slice(0, 3).entries())
      await decideRequest(manager, context(manager.id), r.id, { approve: true }, new Date(base + (40 + i) * 60_000));
    const grants = await revocableGrants(manager, parseApprovalFilters({}));
    expect(grants).toMatchObject({ total: 3, page: 1, pageCount: 1, pageSize: GRANTS_PAGE_SIZE });
    expect(grants.rows.map((g) => g.name)).toEqual(["Report 02", "Report 01", "Report 00"]);
    expect((await pendingApprovals(manager, parseApprovalFilters({}))).total).toBe(23);
  });
});
