import "server-only";

import { and, eq, sql } from "drizzle-orm";

import { getDb, type Executor } from "@/db/client";
import { accessGrants, people } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import { may } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { DomainError, NotFoundError } from "@/lib/errors";
import { plural } from "@/lib/format";
import { queueEmail } from "@/lib/notify/queue-email";
import { isReportOf } from "@/lib/people/reporting-line";
import { addDays, DAY } from "@/lib/time";
import { enqueueWebhookEvent } from "@/lib/webhooks/enqueue";
import { queueAccessChange } from "@/lib/xapi/queue";

import type { DenyReason } from "./decide.rules";
import { describeReason } from "./describe";
import { accessRole, decisionFor, loadDecisionFacts } from "./facts";
import { pendingRequestFor } from "./my-access";

/** Compliance admins decide every request; managers decide manager-approved roles for people who report to them. */
async function canDecide(db: Executor, viewer: Viewer, personId: string, roleId: string): Promise<boolean> {
  if (personId === viewer.id) return false;
  if (may(viewer, "administer")) return true;
  return accessRole(roleId)?.approver === "manager" && may(viewer, "lead_team") && isReportOf(db, viewer.id, personId);
}

/** Approvers for a request: the person's direct manager for manager-approved roles, else every compliance admin. */
async function approversFor(db: Executor, personId: string, roleId: string) {
  const role = accessRole(roleId);
  if (role?.approver === "manager") {
    const [row] = await db.select({ managerId: people.managerId }).from(people).where(eq(people.id, personId));
    if (row?.managerId) {
      const managers = await db
        .select({ id: people.id, name: people.name, email: people.email })
        .from(people)
        .where(and(eq(people.id, row.managerId), eq(people.status, "active")));
      if (managers.length > 0) return managers;
    }
  }
  // Compliance-approved roles, and people without an active manager, go to compliance admins.
  return db
    .select({ id: people.id, name: people.name, email: people.email })
    .from(people)
    .where(and(eq(people.status, "active"), sql`'compliance_admin' = any(${people.roles})`));
}

export async function requestAccess(
  viewer: Viewer,
  context: AuditContext,
  roleId: string,
  justification: string,
  now = new Date(),
) {
  const role = accessRole(roleId);
  if (!role) throw new NotFoundError("That role does not exist.");
  if (await pendingRequestFor(viewer.id, role.id))
    throw new DomainError("already_requested", "You already have a pending request for this role.");
  const db = await getDb();
  const facts = await loadDecisionFacts(db, [viewer.id]);
  const { reasons } = decisionFor(facts, viewer.id, role, now);
  const hasGrant = !reasons.some((r) => r === "no_grant" || r === "grant_revoked" || r === "grant_ended");
  if (hasGrant) throw new DomainError("already_granted", "You already have an approved grant for this role.");
  const requirementsMet = reasons.every((r) => r === "no_grant" || r === "grant_revoked" || r === "grant_ended");
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(accessGrants)
      .values({ personId: viewer.id, roleId: role.id, justification, requestedAt: now })
      .returning({ id: accessGrants.id });
    await recordAudit(
      tx,
      context,
      {
        action: "access.requested",
        targetType: "access_grant",
        targetId: row.id,
        data: { roleId: role.id, requirementsMet },
      },
      now,
    );
    for (const approver of await approversFor(tx, viewer.id, role.id)) {
      await queueEmail(tx, {
        kind: "access-request",
        props: {
          approverName: approver.name,
          requesterName: viewer.name,
          roleName: role.name,
          justification,
          requestedAt: now,
          requestPath: "/access/approvals",
          requirementsMet,
        },
        to: { email: approver.email, personId: approver.id },
        dedupeKey: `access-request:${row.id}:${approver.id}`,
        now,
      });
    }
    return row;
  });
}

/** What a decision leaves to do: for an approval whose requirements are not met yet, the missing ones. */
export type DecisionOutcome = { status: "approved" | "denied"; pending: DenyReason[] };

/**
 * Approves or denies a request. An approval whose requirements are not met yet is a grant not yet in
 * effect: it is recorded with `lapsed_at` set, so the scheduler never announces a lapse of access the
 * person never had, and records `access.effective` once the requirements are met (lib/access/lapses.ts).
 * The requester and the approver are both told what must be done first.
 */
export async function decideRequest(
  viewer: Viewer,
  context: AuditContext,
  grantId: string,
  input: { approve: boolean; comment?: string; endsAt?: Date | null },
  now = new Date(),
): Promise<DecisionOutcome> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [grant] = await tx.select().from(accessGrants).where(eq(accessGrants.id, grantId)).for("update");
    if (!grant || !(await canDecide(tx, viewer, grant.personId, grant.roleId)))
      throw new NotFoundError("That request does not exist.");
    if (grant.status !== "requested")
      throw new DomainError("already_decided", "This request has already been decided.");
    const role = accessRole(grant.roleId)!;
    const longest = addDays(now, role.maxGrantDays);
    const endsAt = input.approve ? (input.endsAt ?? longest) : null;
    if (endsAt && endsAt.getTime() <= now.getTime())
      throw new DomainError("end_in_past", "The end date must be in the future.");
    if (endsAt && endsAt.getTime() > longest.getTime() + DAY)
      throw new DomainError(
        "end_too_late",
        `${role.name} can be granted for at most ${plural(role.maxGrantDays, "day")}.`,
      );
    const status = input.approve ? "approved" : "denied";
    await tx
      .update(accessGrants)
      .set({ status, decidedBy: viewer.id, decidedAt: now, decisionComment: input.comment || null, endsAt })
      .where(eq(accessGrants.id, grant.id));
    // Decided with the new grant in place: what still blocks the role is training or agreements, not the grant.
    const pending = input.approve
      ? decisionFor(await loadDecisionFacts(tx, [grant.personId], role.id), grant.personId, role, now).reasons
      : [];
    if (pending.length) await tx.update(accessGrants).set({ lapsedAt: now }).where(eq(accessGrants.id, grant.id));
    await recordAudit(
      tx,
      context,
      {
        action: input.approve ? "access.granted" : "access.denied",
        targetType: "access_grant",
        targetId: grant.id,
        data: {
          personId: grant.personId,
          roleId: role.id,
          endsAt: endsAt?.toISOString() ?? null,
          ...(pending.length ? { pending } : {}),
        },
      },
      now,
    );
    const [person] = await tx
      .select({ name: people.name, email: people.email })
      .from(people)
      .where(eq(people.id, grant.personId));
    await queueEmail(tx, {
      kind: "access-decision",
      props: {
        name: person.name,
        roleName: role.name,
        decision: status,
        decidedByName: viewer.name,
        comment: input.comment || null,
        validUntil: endsAt,
        requestPath: "/access",
        pending: pending.map((r) => describeReason(r, "you").text),
      },
      to: { email: person.email, personId: grant.personId },
      dedupeKey: `access-decision:${grant.id}`,
      now,
    });
    // The approver needs to know the approval does not open access yet, and why.
    if (pending.length)
      await queueEmail(tx, {
        kind: "access-decision",
        props: {
          name: viewer.name,
          roleName: role.name,
          decision: status,
          decidedByName: viewer.name,
          validUntil: endsAt,
          requestPath: `/people/${grant.personId}`,
          pending: pending.map((r) => describeReason(r, "them").text),
          holderName: person.name,
        },
        to: { email: viewer.email, personId: viewer.id },
        dedupeKey: `access-decision:${grant.id}:approver`,
        now,
      });
    if (input.approve)
      await queueAccessChange(
        tx,
        {
          change: "granted",
          grantId: grant.id,
          holder: { id: grant.personId, email: person.email },
          decidedBy: viewer,
          roleId: role.id,
        },
        now,
      );
    if (input.approve)
      await enqueueWebhookEvent(
        tx,
        "access.granted",
        `access.granted:${grant.id}`,
        {
          grantId: grant.id,
          personId: grant.personId,
          email: person.email,
          roleId: role.id,
          endsAt: endsAt?.toISOString() ?? null,
        },
        now,
      );
    return { status, pending };
  });
}

export async function revokeGrant(
  viewer: Viewer,
  context: AuditContext,
  grantId: string,
  reason: string,
  now = new Date(),
) {
  const db = await getDb();
  await db.transaction(async (tx) => {
    const [grant] = await tx.select().from(accessGrants).where(eq(accessGrants.id, grantId)).for("update");
    if (!grant || !(await canDecide(tx, viewer, grant.personId, grant.roleId)))
      throw new NotFoundError("That grant does not exist.");
    if (grant.status !== "approved") throw new DomainError("not_active", "Only an approved grant can be revoked.");
    // Revoking ends the person's access to the role: every approved grant for it goes, as the decision rule says (decide.rules.ts).
    const revoked = await tx
      .update(accessGrants)
      .set({ status: "revoked", revokedBy: viewer.id, revokedAt: now, revokeReason: reason || null })
      .where(
        and(
          eq(accessGrants.personId, grant.personId),
          eq(accessGrants.roleId, grant.roleId),
          eq(accessGrants.status, "approved"),
        ),
      )
      .returning({ id: accessGrants.id });
    const alsoRevoked = revoked.map((r) => r.id).filter((id) => id !== grant.id);
    await recordAudit(
      tx,
      context,
      {
        action: "access.revoked",
        targetType: "access_grant",
        targetId: grant.id,
        data: { personId: grant.personId, roleId: grant.roleId, ...(alsoRevoked.length ? { alsoRevoked } : {}) },
      },
      now,
    );
    const [person] = await tx.select({ email: people.email }).from(people).where(eq(people.id, grant.personId));
    await queueAccessChange(
      tx,
      {
        change: "revoked",
        grantId: grant.id,
        holder: { id: grant.personId, email: person.email },
        decidedBy: viewer,
        roleId: grant.roleId,
      },
      now,
    );
    await enqueueWebhookEvent(
      tx,
      "access.revoked",
      `access.revoked:${grant.id}`,
      { grantId: grant.id, personId: grant.personId, email: person.email, roleId: grant.roleId },
      now,
    );
  });
}
