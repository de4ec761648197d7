import "server-only";
import { and, eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { accessGrants, departments, people } from "@/db/schema";
import { accessRole, decisionFor, loadDecisionFacts } from "./facts";

export type Holder = { id: string; email: string; name: string; department: string | null; validUntil: Date | null; grantEndsAt: Date | null };

/** Who holds a role now: an approved grant and every requirement current. For access reviews. */
export async function roleHolders(db: Executor, roleId: string, now = new Date()): Promise<Holder[] | null> {
  const role = accessRole(roleId);
  if (!role) return null;
  const candidates = await db
    .selectDistinct({ id: people.id, email: people.email, name: people.name, department: departments.name })
    .from(accessGrants)
    .innerJoin(people, eq(people.id, accessGrants.personId))
    .leftJoin(departments, eq(departments.id, people.departmentId))
    .where(and(eq(accessGrants.roleId, role.id), eq(accessGrants.status, "approved")));
  const facts = await loadDecisionFacts(db, candidates.map((c) => c.id), role.id);
  const holders: Holder[] = [];
  for (const c of candidates) {
    const decision = decisionFor(facts, c.id, role, now);
    if (!decision.allow) continue;
    const grant = facts.persons.get(c.id)?.grantsByRole.get(role.id)?.find((g) => g.status === "approved");
    holders.push({ ...c, validUntil: decision.valid_until, grantEndsAt: grant?.endsAt ?? null });
  }
  return holders.sort((a, b) => a.name.localeCompare(b.name));
}
