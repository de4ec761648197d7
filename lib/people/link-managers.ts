import "server-only";

import { sql } from "drizzle-orm";

import type { Executor } from "@/db/client";

/** Links people to their managers after all are in: two array parameters per statement, not one update per person. */
export async function linkManagers(tx: Executor, rows: { id?: unknown; managerId?: unknown }[]): Promise<void> {
  const linked = rows.filter((r) => r.managerId);
  for (let i = 0; i < linked.length; i += 10_000) {
    const chunk = linked.slice(i, i + 10_000);
    await tx.execute(sql`
      update people set manager_id = t.manager_id
        from unnest(${sql.param(chunk.map((r) => String(r.id)))}::uuid[], ${sql.param(chunk.map((r) => String(r.managerId)))}::uuid[]) as t(id, manager_id)
       where people.id = t.id`);
  }
}
