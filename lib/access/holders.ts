import "server-only";

import { and, eq, gt, or } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { accessGrants, departments, people } from "@/db/schema";

import { grantInEffect } from "./decide.rules";
import { accessRole, decisionFor, loadDecisionFacts } from "./facts";

export type Holder = {
  id: string;
  email: string;
  name: string;
  department: string | null;
  validUntil: Date | null;
  grantEndsAt: Date | null;
};

/**
 * Who holds a role at `now`: everyone the access check allows, with the same
 * `valid_until` and the end of the grant in effect (the one the decision used,
 * not merely an approved one: after a renewal the older grant has ended). For
 * access reviews.
 */
export async function roleHolders(db: Executor, roleId: string, now = new Date()): Promise<Holder[] | null> {
  const role = accessRole(roleId);
  if (!role) return null;
  // A grant revoked after `now` still counted at `now`; the decision sorts the candidates out.
  const candidates = await db
    .selectDistinct({ id: people.id, email: people.email, name: people.name, department: departments.name })
    .from(accessGrants)
    .innerJoin(people, eq(people.id, accessGrants.personId))
    .leftJoin(departments, eq(departments.id, people.departmentId))
    .where(
      and(
        eq(accessGrants.roleId, role.id),
        or(
          eq(accessGrants.status, "approved"),
          and(eq(accessGrants.status, "revoked"), gt(accessGrants.revokedAt, now)),
        ),
      ),
    );
  const facts = await loadDecisionFacts(
    db,
    candidates.map((c) => c.id),
    role.id,
  );
  const holders: Holder[] = [];
  for (const c of candidates) {
    const decision = decisionFor(facts, c.id, role, now);
    if (!decision.allow) continue;
    const { grant } = grantInEffect(facts.persons.get(c.id)?.grantsByRole.get(role.id) ?? [], now);
    holders.push({ ...c, validUntil: decision.valid_until, grantEndsAt: grant?.endsAt ?? null });
  }
  return holders.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}
