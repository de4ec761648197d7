import "server-only";

import { and, desc, eq, inArray, like, lt, sql } from "drizzle-orm";

import { getDb } from "@/db/client";
import { auditEvents } from "@/db/schema";
import { assertMay } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";

import { auditActionInfo, auditActionsIn, isAuditAction, type AuditActionInfo, type AuditCategory } from "./actions";

export type AuditEventView = {
  id: number;
  at: Date;
  actorLabel: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  data: unknown;
  hash: string;
} & AuditActionInfo;

export function assertAuditReader(viewer: Viewer) {
  assertMay(viewer, "oversee");
}

/**
 * Newest first, keyset-paginated by id so deep pages stay fast. `action` is one
 * action of the catalogue, or else the start of action names ("auth.").
 * Stored data is returned as it is: old rows may lack fields added since.
 */
export async function listAuditEvents(
  viewer: Viewer,
  options: { before?: number; action?: string; category?: AuditCategory; targetId?: string; limit?: number } = {},
) {
  assertAuditReader(viewer);
  const db = await getDb();
  const limit = Math.min(options.limit ?? 50, 200);
  const filters = and(
    options.before ? lt(auditEvents.id, options.before) : undefined,
    options.action
      ? isAuditAction(options.action)
        ? eq(auditEvents.action, options.action)
        : like(auditEvents.action, `${options.action.replace(/[%_]/g, "")}%`)
      : undefined,
    options.category ? inArray(auditEvents.action, auditActionsIn(options.category)) : undefined,
    options.targetId ? eq(auditEvents.targetId, options.targetId) : undefined,
  );
  const rows = await db
    .select({
      id: auditEvents.id,
      at: auditEvents.at,
      actorLabel: auditEvents.actorLabel,
      action: auditEvents.action,
      targetType: auditEvents.targetType,
      targetId: auditEvents.targetId,
      ip: auditEvents.ip,
      data: auditEvents.data,
      hash: auditEvents.hash,
    })
    .from(auditEvents)
    .where(filters)
    .orderBy(desc(auditEvents.id))
    .limit(limit + 1);
  const [{ total }] = await db.select({ total: sql<number>`count(*)::int` }).from(auditEvents);
  const views: AuditEventView[] = rows.slice(0, limit).map((row) => ({ ...row, ...auditActionInfo(row.action) }));
  return { rows: views, nextBefore: rows.length > limit ? rows[limit - 1].id : null, total };
}
