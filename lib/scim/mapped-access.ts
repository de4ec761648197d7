import "server-only";

import { and, asc, eq, sql } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { inIds } from "@/db/id-list";
import { people, scimGroupMappings, scimGroupMembers, scimGroups, type AppRole } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { revokeSessionsOf } from "@/lib/auth/sessions";
import { syncAssignments } from "@/lib/training/assignments";

import { scimAuditContext, type ScimActor } from "./actor";

/**
 * Brings people's roles and department in line with their membership of the
 * client's mapped groups. Only roles some mapping of this client names are
 * touched: a group nobody mapped, or mapped for another client, changes
 * nothing, whatever it is called. Rows are locked in id order so concurrent
 * group changes cannot deadlock.
 */
export async function syncMappedAccess(tx: Executor, actor: ScimActor, personIds: string[], now: Date): Promise<void> {
  const ids = Array.from(new Set(personIds)).sort();
  if (ids.length === 0) return;
  const mappings = await tx
    .select({
      groupName: scimGroupMappings.groupName,
      role: scimGroupMappings.role,
      departmentId: scimGroupMappings.departmentId,
    })
    .from(scimGroupMappings)
    .where(eq(scimGroupMappings.clientId, actor.clientId))
    .orderBy(asc(scimGroupMappings.groupName));
  if (mappings.length === 0) return;
  const controlled = new Set(mappings.map((m) => m.role).filter((r): r is NonNullable<typeof r> => r !== null));
  const persons = await tx
    .select({ id: people.id, roles: people.roles, departmentId: people.departmentId, status: people.status })
    .from(people)
    .where(inIds(people.id, ids))
    .orderBy(asc(people.id))
    .for("update");
  const memberships = await tx
    .select({ personId: scimGroupMembers.personId, name: sql<string>`lower(${scimGroups.displayName})` })
    .from(scimGroupMembers)
    .innerJoin(scimGroups, eq(scimGroups.id, scimGroupMembers.groupId))
    .where(and(eq(scimGroups.clientId, actor.clientId), inIds(scimGroupMembers.personId, ids)));
  const context = scimAuditContext(actor);
  for (const person of persons) {
    const groups = new Set(memberships.filter((m) => m.personId === person.id).map((m) => m.name));
    const mine = mappings.filter((m) => groups.has(m.groupName.toLowerCase()));
    const held = mine.map((m) => m.role).filter((r): r is NonNullable<typeof r> => r !== null);
    const roles = Array.from(
      new Set<AppRole>([
        "employee",
        ...(person.roles as AppRole[]).filter((r) => !controlled.has(r as never)),
        ...held,
      ]),
    ).sort();
    const previous = [...person.roles].sort();
    const department = mine.find((m) => m.departmentId)?.departmentId ?? person.departmentId;
    if (roles.join() !== previous.join()) {
      await tx.update(people).set({ roles, updatedAt: now }).where(eq(people.id, person.id));
      await recordAudit(
        tx,
        context,
        {
          action: "person.roles_changed",
          targetType: "person",
          targetId: person.id,
          data: { from: previous, to: roles, source: "scim", client: actor.clientId },
        },
        now,
      );
      await revokeSessionsOf(tx, person.id, "roles_changed", now);
    }
    if (department !== person.departmentId) {
      await tx.update(people).set({ departmentId: department, updatedAt: now }).where(eq(people.id, person.id));
      await recordAudit(
        tx,
        context,
        {
          action: "person.updated",
          targetType: "person",
          targetId: person.id,
          data: {
            source: "scim",
            client: actor.clientId,
            changes: { department: { from: person.departmentId, to: department } },
          },
        },
        now,
      );
    }
    if (department !== person.departmentId || roles.join() !== previous.join())
      await syncAssignments(tx, { personIds: [person.id], now });
  }
}
