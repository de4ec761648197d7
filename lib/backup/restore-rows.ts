import "server-only";
import { getTableColumns, sql } from "drizzle-orm";
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

/** Links people to their managers after all are in: two array parameters per statement, not one update per person. */
export async function linkManagers(tx: Executor, rows: Record<string, unknown>[]): Promise<void> {
  const linked = rows.filter((r) => r.managerId);
  for (let i = 0; i < linked.length; i += 10_000) {
    const chunk = linked.slice(i, i + 10_000);
    await tx.execute(sql`
      update people set manager_id = t.manager_id
        from unnest(${sql.param(chunk.map((r) => String(r.id)))}::uuid[], ${sql.param(chunk.map((r) => String(r.managerId)))}::uuid[]) as t(id, manager_id)
       where people.id = t.id`);
  }
}
