import { sql, type SQL } from "drizzle-orm";
import { expect } from "vitest";

import type { Db } from "@/db/client";

import { rowsOf } from "../helpers/test-database";

/**
 * Bookkeeping that every call may write, accepted or not: the shared rate-limit
 * counters and an API client's "last used" time. Everything else must stay as
 * it was when a call is rejected.
 */
const BOOKKEEPING_TABLES = new Set(["rate_limits"]);
const BOOKKEEPING_COLUMNS: Record<string, string[]> = { api_clients: ["last_used_at"] };

export type TableState = Record<string, string>;

let query: SQL | undefined;

/** One statement that fingerprints every table in the schema: its row count and a hash of its rows. */
async function stateQuery(db: Db): Promise<SQL> {
  if (query) return query;
  const tables = rowsOf<{ name: string }>(
    await db.execute(
      sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
    ),
  )
    .map((t) => t.name)
    .filter((name) => !BOOKKEEPING_TABLES.has(name));
  const parts = tables.map((name) => {
    const ignored = (BOOKKEEPING_COLUMNS[name] ?? []).map((c) => ` - '${c}'`).join("");
    return `select '${name}' as name, count(*)::text || ':' || md5(coalesce(string_agg(x.j, E'\\n' order by x.j), '')) as hash from (select (to_jsonb(r)${ignored})::text as j from "${name}" r) x`;
  });
  query = sql.raw(parts.join("\nunion all\n"));
  return query;
}

export async function tableState(db: Db): Promise<TableState> {
  const rows = rowsOf<{ name: string; hash: string }>(await db.execute(await stateQuery(db)));
  return Object.fromEntries(rows.map((r) => [r.name, r.hash]));
}

/**
 * Watches the database across calls: `before()` fingerprints it (reusing the
 * last fingerprint while every call since was rejected), `rejected()` asserts
 * that nothing but the listed tables changed, `accepted()` forgets the
 * fingerprint because an accepted call may change anything.
 */
export function watchTables(db: () => Db) {
  let known: TableState | undefined;
  return {
    async before(): Promise<TableState> {
      known ??= await tableState(db());
      return known;
    },
    async rejected(before: TableState, mayChange: readonly string[] = []): Promise<void> {
      const after = await tableState(db());
      known = after;
      const changed = Object.keys(before).filter((name) => before[name] !== after[name] && !mayChange.includes(name));
      expect(changed, "tables changed by a rejected call").toEqual([]);
    },
    accepted(): void {
      known = undefined;
    },
  };
}
