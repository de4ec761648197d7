import "server-only";

import { sql } from "drizzle-orm";

import { createBatcher } from "@/db/batcher";
import type { Executor } from "@/db/client";
import { selectRows } from "@/db/rows";
import type { accessDecisions } from "@/db/schema";
import { metrics, secondsSince } from "@/lib/metrics";

type DecisionRow = typeof accessDecisions.$inferInsert;
const ROWS_PER_INSERT = 1000;

/**
 * Logs decisions with group commit: the rows of every check that reaches
 * this point together go to the database in one INSERT (see createBatcher),
 * and each caller's promise settles only once its rows are stored — no
 * answer leaves before it is logged, yet a burst of checks costs one write.
 * Resolves with each row's id (its decision id), in the order given.
 */
export function logDecisions(db: Executor, rows: DecisionRow[]): Promise<number[]> {
  return rows.length ? groupCommit(db, rows) : Promise.resolve([]);
}

/**
 * Decision-log rows waiting for a write beyond this mean the database is not
 * keeping up: checks are refused (503 with Retry-After) rather than answered
 * late or, worse, answered without their record.
 */
export const DECISION_LOG_MAX_BACKLOG = 20_000;

export class DecisionLogOverloadedError extends Error {
  constructor() {
    super("The decision log is not keeping up; try again shortly.");
    this.name = "DecisionLogOverloadedError";
  }
}

/** Throws DecisionLogOverloadedError when the backlog of rows to log is too long to take more checks. */
export function assertDecisionLogKeepsUp(db: Executor, limit = DECISION_LOG_MAX_BACKLOG): void {
  if (groupCommit.waiting(db) >= limit) throw new DecisionLogOverloadedError();
}

const groupCommit = createBatcher<Executor, DecisionRow, number[]>({
  maxItems: ROWS_PER_INSERT,
  maxInFlight: 2,
  run: insertDecisions,
  share: (ids, start, end) => ids.slice(start, end),
});

/**
 * One INSERT of many rows with seven array parameters (one per column)
 * rather than seven per row: the statement stays the same whatever the
 * number of rows, so it is planned once. Every column travels as text (both
 * drivers send text arrays alike) and is cast back; reason codes never hold
 * a comma. Rows are inserted in the order given, so the ids the sequence
 * hands out ascend in that order: sorted, they are the rows' ids in order.
 */
async function insertDecisions(db: Executor, rows: DecisionRow[]): Promise<number[]> {
  const column = (pick: (row: DecisionRow) => string) => sql`${sql.param(rows.map(pick))}::text[]`;
  const started = performance.now();
  // One statement: if a PostgreSQL restart terminated its session first, the pool sends it again (db/lost-connection.ts).
  const inserted = await selectRows<{ id: string | number }>(
    db,
    sql`
    insert into access_decisions (at, client_id, person_id, subject, role_id, allow, reasons)
    select at::timestamptz, nullif(client_id, '')::uuid, nullif(person_id, '')::uuid, subject, role_id, allow::boolean, string_to_array(reasons, ',')
      from unnest(${column((r) => r.at.toISOString())}, ${column((r) => r.clientId ?? "")}, ${column((r) => r.personId ?? "")},
                  ${column((r) => r.subject)}, ${column((r) => r.roleId)}, ${column((r) => String(r.allow))}, ${column((r) => r.reasons.join(","))})
        with ordinality as t(at, client_id, person_id, subject, role_id, allow, reasons, n)
      order by n
    returning id`,
  );
  metrics().decisionLogWrite.observe(secondsSince(started));
  return inserted.map((r) => Number(r.id)).sort((a, b) => a - b);
}
