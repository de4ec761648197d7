import "server-only";

import { sql } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";

import { people } from "@/db/schema";

/**
 * How the exceptions report reads its records: in time order, a page at a
 * time, each with the person it names read in the same statement.
 */

/** The person a finding names, read with the record it was found in. */
export type Who = { personId: string; name: string; email: string; department: string | null; createdAt: Date };
export const whoColumns = {
  personId: people.id,
  name: people.name,
  email: people.email,
  department: people.departmentId,
  createdAt: people.createdAt,
};

/**
 * A key to page on: a timestamp (as PostgreSQL's text, so microseconds
 * survive the trip through a JavaScript Date) and the row's id.
 */
export type Cursor = { at: string; id: string };
export const cursorText = (column: PgColumn) => sql<string>`${column}::text`;
export const afterCursor = (at: PgColumn, id: PgColumn, idType: "uuid" | "bigint", after: Cursor | null) =>
  after
    ? sql`(${at}, ${id}) > (${after.at}::timestamptz, ${idType === "uuid" ? sql`${after.id}::uuid` : sql`${after.id}::bigint`})`
    : undefined;

/** A query's rows a page at a time, each page starting after the last row of the one before. */
export async function* pages<R extends { cursorAt: string; id: string | number }>(
  size: number,
  read: (after: Cursor | null) => Promise<R[]>,
): AsyncGenerator<R[]> {
  let after: Cursor | null = null;
  for (;;) {
    const rows = await read(after);
    if (rows.length > 0) yield rows;
    if (rows.length < size) return;
    const last = rows[rows.length - 1];
    after = { at: last.cursorAt, id: String(last.id) };
  }
}
