import "server-only";

import { and, desc, eq, lt, sql } from "drizzle-orm";

import { getDb, type Executor } from "@/db/client";
import { dataOperationEvents, departments, people } from "@/db/schema";
import { assertMay } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";

import type { DenyReason } from "./decide.rules";
import { accessRole, decisionFor, loadFactsFor } from "./facts";

export type IncomingEvent = { user: string; action: string; resource: string; occurred_at: string; role?: string };
export type EventOutcome = {
  id: number | null;
  cleared: boolean | null;
  reasons: DenyReason[];
  error?: { code: string; message: string };
};

/**
 * Stores data-operation events from other systems, each marked with whether
 * the person held the named role when it happened (or, without a role, whether
 * their account was active). This is the audit over employees' data operations.
 */
export async function recordDataEvents(
  db: Executor,
  clientId: string,
  events: IncomingEvent[],
  now = new Date(),
): Promise<EventOutcome[]> {
  const { resolved, facts } = await loadFactsFor(
    db,
    events.map((e) => ({ user: e.user, role: e.role ?? null })),
  );
  const outcomes: EventOutcome[] = [];
  const rows: (typeof dataOperationEvents.$inferInsert & { index: number })[] = [];
  events.forEach((event, index) => {
    const personId = resolved.get(event.user.toLowerCase());
    if (!personId)
      return outcomes.push({
        id: null,
        cleared: null,
        reasons: [],
        error: { code: "unknown_user", message: `No person "${event.user}".` },
      });
    const occurredAt = new Date(event.occurred_at);
    let reasons: DenyReason[] = [];
    if (event.role) {
      const role = accessRole(event.role);
      if (!role)
        return outcomes.push({
          id: null,
          cleared: null,
          reasons: [],
          error: { code: "unknown_role", message: `No data-access role "${event.role}".` },
        });
      reasons = decisionFor(facts, personId, role, occurredAt).reasons;
    } else if (facts.persons.get(personId)?.person.status !== "active") {
      reasons = ["account_inactive"];
    }
    outcomes.push({ id: null, cleared: reasons.length === 0, reasons });
    rows.push({
      index,
      receivedAt: now,
      clientId,
      personId,
      action: event.action,
      resource: event.resource,
      occurredAt,
      roleId: event.role ?? null,
      cleared: reasons.length === 0,
      reasons,
    });
  });
  if (rows.length) {
    const inserted = await db
      .insert(dataOperationEvents)
      .values(rows.map(({ index, ...r }) => (void index, r)))
      .returning({ id: dataOperationEvents.id });
    // Rows keep their order: pair ids back with the events they came from.
    let next = 0;
    outcomes.forEach((o) => {
      if (!o.error) o.id = inserted[next++].id;
    });
  }
  return outcomes;
}

export type DataEventRow = {
  id: number;
  occurredAt: Date;
  personId: string;
  name: string;
  email: string;
  department: string | null;
  action: string;
  resource: string;
  roleId: string | null;
  cleared: boolean;
  reasons: string[];
};

/** For auditors and compliance admins: newest first, optionally only the uncleared ones or one person's. */
export async function listDataEvents(
  viewer: Viewer,
  options: { uncleared?: boolean; personId?: string; before?: number; limit?: number } = {},
) {
  assertMay(viewer, "oversee");
  const db = await getDb();
  const limit = Math.min(options.limit ?? 100, 10_000);
  const where = and(
    options.uncleared ? eq(dataOperationEvents.cleared, false) : undefined,
    options.personId ? eq(dataOperationEvents.personId, options.personId) : undefined,
    options.before ? lt(dataOperationEvents.id, options.before) : undefined,
  );
  const rows: DataEventRow[] = await db
    .select({
      id: dataOperationEvents.id,
      occurredAt: dataOperationEvents.occurredAt,
      personId: dataOperationEvents.personId,
      name: people.name,
      email: people.email,
      department: departments.name,
      action: dataOperationEvents.action,
      resource: dataOperationEvents.resource,
      roleId: dataOperationEvents.roleId,
      cleared: dataOperationEvents.cleared,
      reasons: dataOperationEvents.reasons,
    })
    .from(dataOperationEvents)
    .innerJoin(people, eq(people.id, dataOperationEvents.personId))
    .leftJoin(departments, eq(departments.id, people.departmentId))
    .where(where)
    .orderBy(desc(dataOperationEvents.id))
    .limit(limit + 1);
  const [{ uncleared }] = await db
    .select({ uncleared: sql<number>`count(*)::int` })
    .from(dataOperationEvents)
    .where(eq(dataOperationEvents.cleared, false));
  return {
    rows: rows.slice(0, limit),
    nextBefore: rows.length > limit ? rows[limit - 1].id : null,
    unclearedTotal: uncleared,
  };
}
