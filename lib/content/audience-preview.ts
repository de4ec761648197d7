import "server-only";

import { eq } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { people } from "@/db/schema";
import { assertMay } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";

import { audienceInForce, inAudience } from "./audience";
import { withAccessRoles } from "./audience-facts";
import type { AudienceRule } from "./schemas";

export type AudiencePreview = {
  count: number;
  names: string[];
  /** Named e-mail addresses of nobody active in Clearance. */
  unknown: string[];
  /** Whether the rule's dates include today: if not, `count` is who it covers while it applies. */
  inForce: boolean;
};

/**
 * Who an audience rule (a course's assignTo, an agreement's signers) covers
 * while it applies, as people stand today, for the draft editor: how many
 * active people, the first names in alphabetical order, and named addresses
 * that match nobody. An access role counts for people holding an approved
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
  const persons = await withAccessRoles(
    db,
    await db
      .select({
        id: people.id,
        name: people.name,
        departmentId: people.departmentId,
        roles: people.roles,
        email: people.email,
      })
      .from(people)
      .where(eq(people.status, "active")),
    [rule],
    now,
  );
  const covered = persons
    .filter((p) => inAudience({ ...rule, from: undefined, until: undefined }, p, now))
    .map((p) => p.name)
    .sort((a, b) => a.localeCompare(b));
  // Named people Clearance has no active record of: most likely a typing mistake.
  const known = new Set(persons.map((p) => p.email.toLowerCase()));
  const unknown = (rule.people ?? []).filter((email) => !known.has(email.toLowerCase()));
  return {
    count: covered.length,
    names: covered.slice(0, options.limit ?? 10),
    unknown,
    inForce: audienceInForce(rule, now),
  };
}
