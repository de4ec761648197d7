import "server-only";

import type { SQL } from "drizzle-orm";

import type { Executor } from "./client";

/**
 * A statement's rows as the driver returns them, without the query builder's
 * per-field mapping: for reads of thousands of rows on a page's hot path,
 * where that mapping costs more than the query. Columns keep their SQL names;
 * timestamps come back as text on postgres.js and as Date on PGlite (see
 * `toDate`), arrays and json as values on both.
 */
export async function selectRows<T>(db: Executor, query: SQL): Promise<T[]> {
  const result = await db.execute(query);
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/** A timestamp column read through selectRows, as a Date. */
export function toDate(value: string | Date): Date {
  return value instanceof Date ? value : new Date(value);
}
