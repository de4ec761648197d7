import "server-only";

import { and, asc, count, desc, eq, ilike, inArray, ne, or, type SQL } from "drizzle-orm";
import { z } from "zod";

import { getDb, type Executor } from "@/db/client";
import { inIds } from "@/db/id-list";
import { accessGrants, people } from "@/db/schema";
import { assertMay, may } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { likeLiteral, optionalText, pageNumber } from "@/lib/http/search-params";
import { reportIds } from "@/lib/people/reporting-line";

import type { DenyReason } from "./decide.rules";
import { accessRole, accessRoles, decisionFor, loadDecisionFacts } from "./facts";

/**
 * What an approver works through on /access/approvals: requests waiting for
 * them and the grants they may revoke, each filtered, counted and paged in
 * the database. An organisation of ten thousand has tens of thousands of
 * grants; the page shows a page of each, and the requirements of only the
 * requests on the page are read.
 */

export const PENDING_PAGE_SIZE = 25;
export const GRANTS_PAGE_SIZE = 50;

/** The filters, from the URL: a search on the person, a role, and a page of each list. */
export const approvalFiltersSchema = z.object({
  q: optionalText(100),
  role: optionalText(100),
  page: pageNumber(),
  grants: pageNumber(),
});
export type ApprovalFilters = z.infer<typeof approvalFiltersSchema>;

export function parseApprovalFilters(params: Record<string, string | string[] | undefined>): ApprovalFilters {
  const filters = approvalFiltersSchema.parse(params);
  // An unknown role filters nothing rather than everything.
  return { ...filters, role: filters.role && accessRole(filters.role) ? filters.role : undefined };
}

/** The filters as search parameters, leaving out defaults. */
export function approvalQuery(
  filters: ApprovalFilters,
  overrides: Partial<ApprovalFilters> = {},
): Record<string, string> {
  const f = { ...filters, ...overrides };
  const out: Record<string, string> = {};
  if (f.q) out.q = f.q;
  if (f.role) out.role = f.role;
  if (f.page > 1) out.page = String(f.page);
  if (f.grants > 1) out.grants = String(f.grants);
  return out;
}

export type Paged<T> = { rows: T[]; total: number; page: number; pageCount: number; pageSize: number };

export type PendingRequest = {
  id: string;
  personId: string;
  name: string;
  email: string;
  roleId: string;
  roleName: string;
  justification: string;
  requestedAt: Date;
  requirementsMet: boolean;
  missing: DenyReason[];
  maxGrantDays: number;
};
export type RevocableGrant = {
  id: string;
  personId: string;
  name: string;
  email: string;
  roleId: string;
  roleName: string;
  decidedAt: Date | null;
  endsAt: Date | null;
};

/** Roles the viewer decides: every role for compliance admins, manager-approved roles for managers. */
export function rolesDecidedBy(viewer: Viewer) {
  return may(viewer, "administer") ? accessRoles() : accessRoles().filter((r) => r.approver === "manager");
}

/** Whose grants of which status the viewer sees, with the filters: compliance admins everyone's, managers their reports' for manager-approved roles; never their own. */
async function visibleGrants(
  db: Executor,
  viewer: Viewer,
  status: "requested" | "approved",
  filters: ApprovalFilters,
): Promise<SQL | null> {
  assertMay(viewer, "approve_access");
  const admin = may(viewer, "administer");
  const scope = admin ? null : await reportIds(db, viewer.id);
  if (scope && scope.length === 0) return null;
  const pattern = filters.q ? `%${likeLiteral(filters.q)}%` : null;
  return and(
    eq(accessGrants.status, status),
    ne(accessGrants.personId, viewer.id),
    scope
      ? and(
          inIds(accessGrants.personId, scope),
          inArray(
            accessGrants.roleId,
            rolesDecidedBy(viewer).map((r) => r.id),
          ),
        )
      : undefined,
    filters.role ? eq(accessGrants.roleId, filters.role) : undefined,
    pattern ? or(ilike(people.name, pattern), ilike(people.email, pattern)) : undefined,
  )!;
}

const listColumns = {
  id: accessGrants.id,
  personId: accessGrants.personId,
  roleId: accessGrants.roleId,
  justification: accessGrants.justification,
  requestedAt: accessGrants.requestedAt,
  decidedAt: accessGrants.decidedAt,
  endsAt: accessGrants.endsAt,
  name: people.name,
  email: people.email,
};

/** The grants matching `where` with their person: counted, then the asked-for page read (or the last one, when the list shrank under a shared link). */
async function pageOf(db: Executor, where: SQL, requested: number, pageSize: number, order: SQL[]) {
  const [{ n }] = await db
    .select({ n: count() })
    .from(accessGrants)
    .innerJoin(people, eq(people.id, accessGrants.personId))
    .where(where);
  const pageCount = Math.max(1, Math.ceil(n / pageSize));
  const page = Math.min(requested, pageCount);
  const rows =
    n === 0
      ? []
      : await db
          .select(listColumns)
          .from(accessGrants)
          .innerJoin(people, eq(people.id, accessGrants.personId))
          .where(where)
          .orderBy(...order)
          .limit(pageSize)
          .offset((page - 1) * pageSize);
  return { rows, total: n, page, pageCount, pageSize };
}

const empty = <T>(pageSize: number): Paged<T> => ({ rows: [], total: 0, page: 1, pageCount: 1, pageSize });

/** Requests waiting for the viewer, oldest first, with what each still lacks. */
export async function pendingApprovals(
  viewer: Viewer,
  filters: ApprovalFilters,
  now = new Date(),
): Promise<Paged<PendingRequest>> {
  const db = await getDb();
  const where = await visibleGrants(db, viewer, "requested", filters);
  if (!where) return empty(PENDING_PAGE_SIZE);
  const paged = await pageOf(db, where, filters.page, PENDING_PAGE_SIZE, [
    asc(accessGrants.requestedAt),
    asc(accessGrants.id),
  ]);
  const facts = await loadDecisionFacts(
    db,
    paged.rows.map((r) => r.personId),
  );
  const rows = paged.rows.map((r): PendingRequest => {
    const role = accessRole(r.roleId)!;
    const reasons = decisionFor(facts, r.personId, role, now).reasons.filter(
      (x) => !["no_grant", "grant_revoked", "grant_ended"].includes(x),
    );
    const { id, personId, roleId, justification, requestedAt, name, email } = r;
    return {
      id,
      personId,
      roleId,
      justification,
      requestedAt,
      name,
      email,
      roleName: role.name,
      requirementsMet: reasons.length === 0,
      missing: reasons as DenyReason[],
      maxGrantDays: role.maxGrantDays,
    };
  });
  return { ...paged, rows };
}

/** Approved, unrevoked grants the viewer may revoke, newest decision first. */
export async function revocableGrants(viewer: Viewer, filters: ApprovalFilters): Promise<Paged<RevocableGrant>> {
  const db = await getDb();
  const where = await visibleGrants(db, viewer, "approved", filters);
  if (!where) return empty(GRANTS_PAGE_SIZE);
  const paged = await pageOf(db, where, filters.grants, GRANTS_PAGE_SIZE, [
    desc(accessGrants.decidedAt),
    asc(accessGrants.id),
  ]);
  const rows = paged.rows.map(({ id, personId, roleId, decidedAt, endsAt, name, email }): RevocableGrant => ({
    id,
    personId,
    roleId,
    decidedAt,
    endsAt,
    name,
    email,
    roleName: accessRole(roleId)?.name ?? roleId,
  }));
  return { ...paged, rows };
}
