import "server-only";

import { sql, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";

/**
 * `column = any(ids)` with the ids as one parameter. inArray binds a
 * parameter per id, and for a team of a thousand building that statement
 * costs more than running it. The ids are uuids read from the database, so
 * the array literal needs no quoting. Typed uuid[] (not cast from text), the
 * planner sees the list and can hash it or probe an index.
 */
export function inIds(column: PgColumn, ids: string[]): SQL {
  return sql`${column} = any(${`{${ids.join(",")}}`}::uuid[])`;
}
