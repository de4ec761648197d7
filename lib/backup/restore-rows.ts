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

export { linkManagers } from "@/lib/people/link-managers";

/**
 * A streamed restore meets people a page at a time, before all of their managers are in: their
 * (person, manager) pairs wait in a temporary table, not in memory, and are linked once the
 * people table has ended. The table lives for the restore's transaction only.
 */
export async function startManagerLinks(tx: Executor): Promise<void> {
  await tx.execute(
    sql`create temporary table restore_manager_links (id uuid primary key, manager_id uuid not null) on commit drop`,
  );
}

export async function stageManagerLinks(tx: Executor, rows: { id?: unknown; managerId?: unknown }[]): Promise<void> {
  const linked = rows.filter((r) => r.managerId);
  if (!linked.length) return;
  await tx.execute(sql`
    insert into restore_manager_links (id, manager_id)
    select * from unnest(${sql.param(linked.map((r) => String(r.id)))}::uuid[], ${sql.param(linked.map((r) => String(r.managerId)))}::uuid[])`);
}

export async function linkStagedManagers(tx: Executor): Promise<void> {
  await tx.execute(sql`
    update people set manager_id = l.manager_id from restore_manager_links l where people.id = l.id`);
  await tx.execute(sql`drop table restore_manager_links`);
}
