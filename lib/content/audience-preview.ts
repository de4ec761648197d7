import "server-only";

import { and, eq, gt, inArray, isNull, or } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { accessGrants, people } from "@/db/schema";
import { assertMay } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";

import { inAudience } from "./audience";
import type { AudienceRule } from "./schemas";

export type AudiencePreview = { count: number; names: string[] };

/**
 * Who an audience rule (a course's assignTo, an agreement's signers) covers
 * today, for the draft editor: how many active people, and the first names in
 * alphabetical order. An access role counts for people holding an approved
 * grant that is neither revoked nor ended.
 */
export async function previewAudience(
  db: Executor,
  viewer: Viewer,
  rule: AudienceRule,
  options: { limit?: number; now?: Date } = {},
): Promise<AudiencePreview> {
  assertMay(viewer, "administer");
  const now = options.now ?? new Date();
  const persons = await db
    .select({ id: people.id, name: people.name, departmentId: people.departmentId, roles: people.roles })
    .from(people)
    .where(eq(people.status, "active"));

  const held = new Map<string, string[]>();
  if (!rule.everyone && rule.accessRoles?.length) {
    const grants = await db
      .select({ personId: accessGrants.personId, roleId: accessGrants.roleId })
      .from(accessGrants)
      .where(
        and(
          inArray(accessGrants.roleId, rule.accessRoles),
          eq(accessGrants.status, "approved"),
          isNull(accessGrants.revokedAt),
          or(isNull(accessGrants.endsAt), gt(accessGrants.endsAt, now)),
        ),
      );
    for (const g of grants) held.set(g.personId, [...(held.get(g.personId) ?? []), g.roleId]);
  }

  const covered = persons
    .filter((p) => inAudience(rule, { departmentId: p.departmentId, roles: p.roles, accessRoles: held.get(p.id) ?? [] }))
    .map((p) => p.name)
    .sort((a, b) => a.localeCompare(b));
  return { count: covered.length, names: covered.slice(0, options.limit ?? 10) };
}
