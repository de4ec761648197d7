import "server-only";

import { getTableColumns } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";

import { writeInChunks } from "@/db/chunks";
import type { Executor } from "@/db/client";

/** Inserts a table's backed-up rows in statements that stay under the bind-parameter limit, whatever the table's width. */
export async function insertRestoredRows(tx: Executor, table: PgTable, rows: Record<string, unknown>[]): Promise<void> {
  const columns = Object.keys(getTableColumns(table)).length;
  await writeInChunks(rows, columns, async (chunk) => {
    await tx.insert(table).values(chunk as never);
  });
}

export { linkManagers } from "@/lib/people/link-managers";
