import "server-only";

import { and, eq, gt, isNull, lte, or } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { accessGrants, people, type PersonStatus } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import { revokeSessionsOf } from "@/lib/auth/sessions";
import { enqueueWebhookEvent } from "@/lib/webhooks/enqueue";
import { queueAccessChange } from "@/lib/xapi/queue";

/**
 * Moves a person between active, suspended and departed in the caller's
 * transaction (the person's row already locked). Leaving `active` ends every
 * session at once, and fires `access.revoked` for each grant in force: the
 * access check reads the status on every request, so the next check denies
 * with `account_inactive`. Grants stay approved, so reactivation gives back
 * exactly the roles whose training and agreements are still current.
 */
export async function changeStatus(
  tx: Executor,
  context: AuditContext,
  person: { id: string; email: string; status: string },
  status: PersonStatus,
  now: Date,
): Promise<void> {
  if (person.status === status) return;
  await tx
    .update(people)
    .set({ status, departedAt: status === "departed" ? now : null, updatedAt: now })
    .where(eq(people.id, person.id));
  await recordAudit(
    tx,
    context,
    {
      action: "person.status_changed",
      targetType: "person",
      targetId: person.id,
      data: { from: person.status, to: status, source: "scim" },
    },
    now,
  );
  await revokeSessionsOf(tx, person.id, "status_changed", now);
  if (status === "active" || person.status !== "active") return;
  const inForce = await tx
    .select({ id: accessGrants.id, roleId: accessGrants.roleId })
    .from(accessGrants)
    .where(
      and(
        eq(accessGrants.personId, person.id),
        eq(accessGrants.status, "approved"),
        lte(accessGrants.decidedAt, now),
        or(isNull(accessGrants.endsAt), gt(accessGrants.endsAt, now)),
      ),
    );
  const at = now.toISOString();
  for (const grant of inForce) {
    await queueAccessChange(
      tx,
      {
        change: "revoked",
        grantId: grant.id,
        holder: person,
        decidedBy: null,
        roleId: grant.roleId,
        key: `account_inactive:${at}`,
      },
      now,
    );
    await enqueueWebhookEvent(
      tx,
      "access.revoked",
      `access.revoked:${grant.id}:account_inactive:${at}`,
      { grantId: grant.id, personId: person.id, email: person.email, roleId: grant.roleId, reason: "account_inactive" },
      now,
    );
  }
}
