import "server-only";
import { sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import type { accessDecisions } from "@/db/schema";

type DecisionRow = typeof accessDecisions.$inferInsert;
type Batch = { rows: DecisionRow[]; waiters: { resolve: () => void; reject: (error: unknown) => void }[] };

const ROWS_PER_INSERT = 1000;
const open = new Map<Executor, Batch>();

/**
 * Logs decisions with group commit: the rows of every check that reaches this
 * point in the same turn of the event loop go to the database in one INSERT,
 * and each caller's promise settles only once its rows are stored — no answer
 * leaves before it is logged, yet a burst of checks costs one write.
 */
export function logDecisions(db: Executor, rows: DecisionRow[]): Promise<void> {
  if (rows.length === 0) return Promise.resolve();
  let batch = open.get(db);
  if (!batch) {
    const fresh: Batch = { rows: [], waiters: [] };
    open.set(db, fresh);
    setImmediate(() => void flush(db, fresh));
    batch = fresh;
  }
  batch.rows.push(...rows);
  return new Promise((resolve, reject) => batch.waiters.push({ resolve, reject }));
}

async function flush(db: Executor, batch: Batch): Promise<void> {
  open.delete(db);
  try {
    for (let i = 0; i < batch.rows.length; i += ROWS_PER_INSERT) await insertDecisions(db, batch.rows.slice(i, i + ROWS_PER_INSERT));
    for (const w of batch.waiters) w.resolve();
  } catch (error) {
    for (const w of batch.waiters) w.reject(error);
  }
}

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
