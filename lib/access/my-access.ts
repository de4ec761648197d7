import "server-only";

import { and, desc, eq } from "drizzle-orm";

import { getDb } from "@/db/client";
import { accessGrants } from "@/db/schema";
import type { Viewer } from "@/lib/auth/roles";
import type { AccessRole } from "@/lib/content/load";

import { grantInEffect, type Decision } from "./decide.rules";
import { describeReason, type Requirement } from "./describe";
import { accessRoles, decisionFor, loadDecisionFacts } from "./facts";

export type RoleState = "held" | "blocked" | "requested" | "not_requested";

export type RoleView = {
  role: AccessRole;
  state: RoleState;
  decision: Decision;
  /** What stands between the person and the role, besides the grant itself. */
  missing: Requirement[];
  pending: { id: string; requestedAt: Date; justification: string } | null;
  grant: { id: string; decidedAt: Date | null; endsAt: Date | null } | null;
  lastOutcome: { status: "denied" | "revoked"; at: Date | null; comment: string | null } | null;
};

const GRANT_REASONS = new Set(["no_grant", "grant_revoked", "grant_ended"]);

export async function accessOverview(personId: string, now = new Date()): Promise<RoleView[]> {
  const db = await getDb();
  const [facts, rows] = await Promise.all([
    loadDecisionFacts(db, [personId]),
    db.select().from(accessGrants).where(eq(accessGrants.personId, personId)).orderBy(desc(accessGrants.requestedAt)),
  ]);
  return accessRoles().map((role) => {
    const decision = decisionFor(facts, personId, role, now);
    const mine = rows.filter((r) => r.roleId === role.id);
    const pending = mine.find((r) => r.status === "requested") ?? null;
    const { grant: inEffect } = grantInEffect(facts.persons.get(personId)?.grantsByRole.get(role.id) ?? [], now);
    const approved = inEffect ? (mine.find((r) => r.id === inEffect.id) ?? null) : null;
    const last = mine.find((r) => r.status === "denied" || r.status === "revoked");
    const missing = decision.reasons.filter((r) => !GRANT_REASONS.has(r)).map((reason) => describeReason(reason));
    const state: RoleState = decision.allow ? "held" : approved ? "blocked" : pending ? "requested" : "not_requested";
    return {
      role,
      state,
      decision,
      missing,
      pending: pending
        ? { id: pending.id, requestedAt: pending.requestedAt, justification: pending.justification }
        : null,
      grant: approved ? { id: approved.id, decidedAt: approved.decidedAt, endsAt: approved.endsAt } : null,
      lastOutcome: last
        ? {
            status: last.status as "denied" | "revoked",
            at: last.revokedAt ?? last.decidedAt,
            comment: last.revokeReason ?? last.decisionComment,
          }
        : null,
    };
  });
}

export async function myAccess(viewer: Viewer, now = new Date()) {
  return accessOverview(viewer.id, now);
}

export async function pendingRequestFor(personId: string, roleId: string) {
  const db = await getDb();
  const [row] = await db
    .select({ id: accessGrants.id })
    .from(accessGrants)
    .where(
      and(eq(accessGrants.personId, personId), eq(accessGrants.roleId, roleId), eq(accessGrants.status, "requested")),
    );
  return row ?? null;
}
