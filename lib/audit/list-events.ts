import "server-only";

import { and, desc, eq, gte, ilike, inArray, like, lt, notInArray, or, sql, type SQL } from "drizzle-orm";

import { getDb, type Executor } from "@/db/client";
import { auditEvents, people } from "@/db/schema";
import { assertMay } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { normaliseIp } from "@/lib/http/client-address";
import { likeLiteral } from "@/lib/http/search-params";

import { auditActionInfo, auditActionsIn, isAuditAction, type AuditActionInfo } from "./actions";
import { auditOutcome, auditTimeRange, refusalActions, type AuditFilters, type AuditOutcome } from "./explore.rules";

export type AuditEventView = {
  id: number;
  at: Date;
  actorId: string | null;
  actorLabel: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  data: unknown;
  hash: string;
  outcome: AuditOutcome;
} & AuditActionInfo;

export function assertAuditReader(viewer: Viewer) {
  assertMay(viewer, "oversee");
}

/** People whose name or e-mail address contains the text, as a subquery of ids (text, as events store them). */
function peopleMatching(text: string) {
  const pattern = `%${likeLiteral(text)}%`;
  return sql`(select ${people.id}::text from ${people} where ${people.name} ilike ${pattern} or ${people.email} ilike ${pattern})`;
}

/** The SQL condition for a set of filters (all but paging). */
export function auditWhere(filters: AuditFilters & { targetId?: string }): SQL | undefined {
  const { start, end } = auditTimeRange(filters);
  const refusals = refusalActions();
  return and(
    start ? gte(auditEvents.at, start) : undefined,
    end ? lt(auditEvents.at, end) : undefined,
    filters.action
      ? isAuditAction(filters.action)
        ? eq(auditEvents.action, filters.action)
        : like(auditEvents.action, `${likeLiteral(filters.action)}%`)
      : undefined,
    filters.category ? inArray(auditEvents.action, auditActionsIn(filters.category)) : undefined,
    filters.outcome === "refused" ? inArray(auditEvents.action, refusals) : undefined,
    filters.outcome === "done" ? notInArray(auditEvents.action, refusals) : undefined,
    filters.actor
      ? or(
          ilike(auditEvents.actorLabel, `%${likeLiteral(filters.actor)}%`),
          sql`${auditEvents.actorId}::text in ${peopleMatching(filters.actor)}`,
        )
      : undefined,
    filters.person
      ? or(
          and(eq(auditEvents.targetType, "person"), sql`${auditEvents.targetId} in ${peopleMatching(filters.person)}`),
          sql`${auditEvents.data}->>'personId' in ${peopleMatching(filters.person)}`,
        )
      : undefined,
    filters.targetId ? eq(auditEvents.targetId, filters.targetId) : undefined,
  );
}

const columns = {
  id: auditEvents.id,
  at: auditEvents.at,
  actorId: auditEvents.actorId,
  actorLabel: auditEvents.actorLabel,
  action: auditEvents.action,
  targetType: auditEvents.targetType,
  targetId: auditEvents.targetId,
  ip: auditEvents.ip,
  data: auditEvents.data,
  hash: auditEvents.hash,
};

type Row = Omit<AuditEventView, "outcome" | keyof AuditActionInfo> & { action: string };

function view(row: Row): AuditEventView {
  return {
    ...row,
    // Addresses recorded as IPv4-mapped IPv6 (::ffff:192.0.2.1) read as the IPv4 address they are.
    ip: row.ip ? normaliseIp(row.ip) : null,
    outcome: auditOutcome(row.action),
    ...auditActionInfo(row.action),
  };
}

/** One page of events, newest first, keyset-paged by id (`before`), for the explorer and the export. */
export async function auditEventPage(
  db: Executor,
  filters: AuditFilters & { targetId?: string },
  limit: number,
): Promise<{ rows: AuditEventView[]; nextBefore: number | null }> {
  const rows = await db
    .select(columns)
    .from(auditEvents)
    .where(and(auditWhere(filters), filters.before ? lt(auditEvents.id, filters.before) : undefined))
    .orderBy(desc(auditEvents.id))
    .limit(limit + 1);
  return {
    rows: rows.slice(0, limit).map(view),
    nextBefore: rows.length > limit ? rows[limit - 1].id : null,
  };
}

/**
 * Newest first, keyset-paginated by id so deep pages stay fast, with how many
 * events the filters select and how many there are in all. Stored data is
 * returned as it is: old rows may lack fields added since.
 */
export async function listAuditEvents(
  viewer: Viewer,
  filters: AuditFilters & { targetId?: string; limit?: number } = {},
) {
  assertAuditReader(viewer);
  const db = await getDb();
  const limit = Math.min(filters.limit ?? 50, 200);
  const [page, [{ total, matching }]] = await Promise.all([
    auditEventPage(db, filters, limit),
    db
      .select({
        total: sql<number>`count(*)::int`,
        matching: sql<number>`count(*) filter (where ${auditWhere(filters) ?? sql`true`})::int`,
      })
      .from(auditEvents),
  ]);
  return { ...page, total, matching };
}
