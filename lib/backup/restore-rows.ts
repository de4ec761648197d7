import "server-only";

import { getTableColumns, sql, type Column } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";

import { chunksOf, writeInChunks } from "@/db/chunks";
import type { Executor } from "@/db/client";

/** Rows per statement when whole rows travel as one JSON parameter: no bind-parameter limit, a statement of a few MB at most. */
const JSON_ROWS_PER_STATEMENT = 2_000;

/**
 * Inserts a table's backed-up rows. Whole rows (every column present, as a backup has them) go
 * as one JSON array per statement, unpacked by PostgreSQL with json_populate_recordset: one
 * parameter instead of one per value, which spares building and binding tens of thousands of
 * parameters a statement. Partial rows take drizzle's insert, which fills in column defaults,
 * in statements that stay under the bind-parameter limit whatever the table's width.
 */
export async function insertRestoredRows(tx: Executor, table: PgTable, rows: Record<string, unknown>[]): Promise<void> {
  if (!rows.length) return;
  const columns = Object.entries(getTableColumns(table));
  if (!rows.every((row) => columns.every(([key]) => key in row))) {
    await writeInChunks(rows, columns.length, async (chunk) => {
      await tx.insert(table).values(chunk as never);
    });
    return;
  }
  const names = sql.join(
    columns.map(([, column]) => sql.identifier(column.name)),
    sql`, `,
  );
  for (const chunk of chunksOf(rows, JSON_ROWS_PER_STATEMENT)) {
    const json = JSON.stringify(chunk.map((row) => asRecord(columns, row)));
    await tx.execute(
      sql`insert into ${table} (${names}) select ${names} from json_populate_recordset(null::${table}, ${json}::json)`,
    );
  }
}

/** A row keyed by column names, as json_populate_recordset reads it; dates as ISO strings, JSON columns as they are. */
function asRecord(columns: [string, Column][], row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, column] of columns) {
    const value = row[key];
    out[column.name] = value instanceof Date ? value.toISOString() : value;
  }
  return out;
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
