import "server-only";

import { sql } from "drizzle-orm";

import type { Db, Executor } from "./client";
import { selectRows } from "./rows";

const READ_ONLY_SNAPSHOT = { isolationLevel: "repeatable read", accessMode: "read only" } as const;

/**
 * Parallel reads under way at once in this process. Each holds one pooled
 * connection while it waits for others: bounded, they can never take the
 * whole pool and wait on each other.
 */
export const MAX_PARALLEL_READS = 2;
let running = 0;

/**
 * Runs `parts` side by side, each on a connection of its own, all reading
 * the same snapshot of the database: the first part's transaction exports
 * its snapshot (pg_export_snapshot) and the others adopt it before they read
 * anything, so together they see exactly what one statement would have seen.
 * The first part's transaction stays open until every other has settled, as
 * an exported snapshot lives only as long as it. Every part settles before
 * this does; the first failure is then thrown. While MAX_PARALLEL_READS
 * are under way, the parts run one after the other in one transaction
 * instead: the same snapshot, one connection.
 */
export async function readInParallel<T>(db: Db, parts: ((tx: Executor) => Promise<T>)[]): Promise<T[]> {
  if (parts.length < 2 || running >= MAX_PARALLEL_READS)
    return db.transaction(async (tx) => {
      const results: T[] = [];
      for (const part of parts) results.push(await part(tx));
      return results;
    }, READ_ONLY_SNAPSHOT);
  running += 1;
  try {
    return await exportedSnapshot(db, parts);
  } finally {
    running -= 1;
  }
}

async function exportedSnapshot<T>(db: Db, parts: ((tx: Executor) => Promise<T>)[]): Promise<T[]> {
  return db.transaction(async (tx) => {
    const [{ snapshot }] = await selectRows<{ snapshot: string }>(tx, sql`select pg_export_snapshot() as snapshot`);
    if (!/^[0-9A-F-]+$/i.test(snapshot)) throw new Error("PostgreSQL exported a snapshot id of an unexpected form.");
    const others = parts.slice(1).map((part) =>
      db.transaction(async (other) => {
        await other.execute(sql.raw(`set transaction snapshot '${snapshot}'`));
        return part(other);
      }, READ_ONLY_SNAPSHOT),
    );
    const settled = await Promise.allSettled([parts[0](tx), ...others]);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) throw failed.reason;
    return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
  }, READ_ONLY_SNAPSHOT);
}
