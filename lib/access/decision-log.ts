import "server-only";
import type { Executor } from "@/db/client";
import { accessDecisions } from "@/db/schema";

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
    for (let i = 0; i < batch.rows.length; i += ROWS_PER_INSERT) await db.insert(accessDecisions).values(batch.rows.slice(i, i + ROWS_PER_INSERT));
    for (const w of batch.waiters) w.resolve();
  } catch (error) {
    for (const w of batch.waiters) w.reject(error);
  }
}
