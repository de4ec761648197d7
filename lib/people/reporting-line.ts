import "server-only";

import { sql } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { selectRows } from "@/db/rows";
import { may } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";

/** Everyone who reports to the manager, directly or through other managers. */
export async function reportIds(db: Executor, managerId: string): Promise<string[]> {
  const result = await selectRows<{ id: string }>(
    db,
    sql`
    with recursive chain(id, depth) as (
      select id, 1 from people where manager_id = ${managerId}
      union all
      select p.id, c.depth + 1 from people p join chain c on p.manager_id = c.id where c.depth < 20
    )
    select id from chain`,
  );
  return result.map((r) => r.id);
}

export async function isReportOf(db: Executor, managerId: string, personId: string): Promise<boolean> {
  const result = await selectRows<{ id: string }>(
    db,
    sql`
    with recursive up(id, manager_id, depth) as (
      select id, manager_id, 0 from people where id = ${personId}
      union all
      select p.id, p.manager_id, u.depth + 1 from people p join up u on p.id = u.manager_id where u.depth < 20
    )
    select 1 as found from up where manager_id = ${managerId} limit 1`,
  );
  return result.length > 0;
}

/** Whether the viewer may see a person's training and agreement records. */
export async function canSeeRecordsOf(db: Executor, viewer: Viewer, personId: string): Promise<boolean> {
  if (viewer.id === personId || may(viewer, "oversee")) return true;
  return may(viewer, "lead_team") && isReportOf(db, viewer.id, personId);
}
