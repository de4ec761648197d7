import "server-only";

import { sql } from "drizzle-orm";

import { createBatcher } from "@/db/batcher";
import type { Executor } from "@/db/client";
import type { accessDecisions } from "@/db/schema";

type DecisionRow = typeof accessDecisions.$inferInsert;
const ROWS_PER_INSERT = 1000;

/**
 * Logs decisions with group commit: the rows of every check that reaches
 * this point together go to the database in one INSERT (see createBatcher),
 * and each caller's promise settles only once its rows are stored — no
 * answer leaves before it is logged, yet a burst of checks costs one write.
 */
export function logDecisions(db: Executor, rows: DecisionRow[]): Promise<void> {
  return rows.length ? groupCommit(db, rows) : Promise.resolve();
}

const groupCommit = createBatcher<Executor, DecisionRow, void>({
  maxItems: ROWS_PER_INSERT,
  maxInFlight: 2,
  run: insertDecisions,
});

/**
 * One INSERT of many rows with seven array parameters (one per column)
 * rather than seven per row: the statement stays the same whatever the
 * number of rows, so it is planned once. Every column travels as text (both
 * drivers send text arrays alike) and is cast back; reason codes never hold
 * a comma.
 */
async function insertDecisions(db: Executor, rows: DecisionRow[]): Promise<void> {
  const column = (pick: (row: DecisionRow) => string) => sql`${sql.param(rows.map(pick))}::text[]`;
  await db.execute(sql`
    insert into access_decisions (at, client_id, person_id, subject, role_id, allow, reasons)
    select at::timestamptz, nullif(client_id, '')::uuid, nullif(person_id, '')::uuid, subject, role_id, allow::boolean, string_to_array(reasons, ',')
      from unnest(${column((r) => r.at.toISOString())}, ${column((r) => r.clientId ?? "")}, ${column((r) => r.personId ?? "")},
                  ${column((r) => r.subject)}, ${column((r) => r.roleId)}, ${column((r) => String(r.allow))}, ${column((r) => r.reasons.join(","))})
        as t(at, client_id, person_id, subject, role_id, allow, reasons)`);
}
