import "server-only";

import { and, count, eq, isNull, lte, min, sql } from "drizzle-orm";

import { getDb, type Executor } from "@/db/client";
import { inIds } from "@/db/id-list";
import { toDate } from "@/db/rows";
import { assignments, correctionRequests, importJobs, people } from "@/db/schema";
import { parseApprovalFilters, pendingApprovals, type PendingRequest } from "@/lib/access/approval-lists";
import { may } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { reportIds } from "@/lib/people/reporting-line";

/** How many of each list the dashboard shows; the rest are a link away. */
export const DASHBOARD_LIST_SIZE = 5;

export type OverdueReport = { id: string; name: string; overdue: number; oldestDueAt: Date };

export type WaitingOnMe = {
  /** Access requests the viewer decides (managers: their reports', for manager-approved roles; compliance admins: all). */
  approvals: { total: number; oldest: PendingRequest[] } | null;
  /** The viewer's reports (direct and indirect) with overdue courses, longest overdue first. */
  team: { overduePeople: number; people: OverdueReport[] } | null;
  /** Organisation work for compliance admins: correction requests and people imports checked and waiting to be applied. */
  admin: { openCorrections: number; importsReady: number } | null;
};

/** Active reports with open assignments past due, in one grouped query whatever the team's size. */
async function overdueReports(db: Executor, managerId: string, now: Date) {
  const ids = await reportIds(db, managerId);
  if (ids.length === 0) return { overduePeople: 0, people: [] };
  const oldest = min(assignments.dueAt);
  const rows = await db
    .select({
      id: people.id,
      name: people.name,
      overdue: count(),
      oldest,
      total: sql<number>`(count(*) over ())::int`,
    })
    .from(assignments)
    .innerJoin(people, eq(people.id, assignments.personId))
    .where(
      and(
        inIds(assignments.personId, ids),
        eq(people.status, "active"),
        isNull(assignments.completedAt),
        isNull(assignments.cancelledAt),
        lte(assignments.dueAt, now),
      ),
    )
    .groupBy(people.id, people.name)
    .orderBy(oldest, people.name)
    .limit(DASHBOARD_LIST_SIZE);
  return {
    overduePeople: Number(rows[0]?.total ?? 0),
    people: rows.map((r) => ({ id: r.id, name: r.name, overdue: r.overdue, oldestDueAt: toDate(r.oldest!) })),
  };
}

async function adminQueues(db: Executor) {
  const [[corrections], [imports]] = await Promise.all([
    db.select({ n: count() }).from(correctionRequests).where(eq(correctionRequests.status, "open")),
    db.select({ n: count() }).from(importJobs).where(eq(importJobs.status, "ready")),
  ]);
  return { openCorrections: corrections.n, importsReady: imports.n };
}

/** What is waiting for the viewer to act on others' behalf; each part only for those whose role has it. */
export async function waitingOnMe(viewer: Viewer, now = new Date()): Promise<WaitingOnMe> {
  const db = await getDb();
  const [approvals, team, admin] = await Promise.all([
    may(viewer, "approve_access") ? pendingApprovals(viewer, parseApprovalFilters({}), now) : null,
    may(viewer, "lead_team") ? overdueReports(db, viewer.id, now) : null,
    may(viewer, "administer") ? adminQueues(db) : null,
  ]);
  return {
    approvals: approvals ? { total: approvals.total, oldest: approvals.rows.slice(0, DASHBOARD_LIST_SIZE) } : null,
    team,
    admin,
  };
}
