import "server-only";

import { sql } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { selectRows } from "@/db/rows";

import { namesIndividuals } from "./audience";
import type { AudienceRule } from "./schemas";

/** The data-access roles each person holds at `now`: approved grants not revoked and not ended. */
export async function heldAccessRoles(db: Executor, ids: string[], now: Date): Promise<Map<string, string[]>> {
  const held = new Map<string, string[]>();
  if (ids.length === 0) return held;
  const rows = await selectRows<{ person_id: string; role_id: string }>(
    db,
    sql`select distinct person_id, role_id from access_grants
        where person_id = any(${sql.param(ids)}::uuid[]) and status = 'approved' and revoked_at is null
          and (ends_at is null or ends_at > ${now.toISOString()}::timestamptz)`,
  );
  for (const r of rows) held.set(r.person_id, [...(held.get(r.person_id) ?? []), r.role_id]);
  return held;
}

/**
 * Fills in the access roles people hold, where one of the rules names access
 * roles (the only audience fact not on a person's own row); otherwise reads
 * nothing.
 */
export async function withAccessRoles<P extends { id: string; accessRoles?: readonly string[] }>(
  db: Executor,
  persons: P[],
  rules: AudienceRule[],
  now: Date,
): Promise<P[]> {
  if (!rules.some((r) => namesIndividuals(r) && r.accessRoles?.length)) return persons;
  const held = await heldAccessRoles(
    db,
    persons.map((p) => p.id),
    now,
  );
  for (const person of persons) person.accessRoles = held.get(person.id) ?? [];
  return persons;
}
