import "server-only";

import { and, asc, eq } from "drizzle-orm";

import { getDb } from "@/db/client";
import { apiClients, departments, scimGroupMappings, type ScimMappedRole } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import { assertMay } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { DomainError, NotFoundError } from "@/lib/errors";

/**
 * Which of a SCIM client's groups mean a Clearance role or a department. Kept
 * in the database and changed by compliance admins on the API clients page,
 * so a change needs no deploy; it applies at the group's next membership change.
 */
export type GroupMappingInput = {
  clientId: string;
  groupName: string;
  target: { role: ScimMappedRole } | { departmentId: string };
};

export async function addGroupMapping(
  viewer: Viewer,
  context: AuditContext,
  input: GroupMappingInput,
  now = new Date(),
): Promise<{ id: string }> {
  assertMay(viewer, "administer");
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [client] = await tx
      .select({ id: apiClients.id, scopes: apiClients.scopes, revokedAt: apiClients.revokedAt })
      .from(apiClients)
      .where(eq(apiClients.id, input.clientId));
    if (!client || client.revokedAt || !client.scopes.includes("scim"))
      throw new DomainError("not_scim_client", "Choose an active API client with the scim scope.");
    if ("departmentId" in input.target) {
      const [department] = await tx
        .select({ id: departments.id })
        .from(departments)
        .where(eq(departments.id, input.target.departmentId));
      if (!department) throw new DomainError("unknown_department", "Choose a department from the list.");
    }
    const [taken] = await tx
      .select({ id: scimGroupMappings.id })
      .from(scimGroupMappings)
      .where(and(eq(scimGroupMappings.clientId, input.clientId), eq(scimGroupMappings.groupName, input.groupName)));
    if (taken)
      throw new DomainError(
        "mapping_exists",
        "That group is already mapped for this client; remove the mapping first.",
      );
    const target =
      "role" in input.target
        ? { role: input.target.role, departmentId: null }
        : { role: null, departmentId: input.target.departmentId };
    const [row] = await tx
      .insert(scimGroupMappings)
      .values({ clientId: input.clientId, groupName: input.groupName, ...target, createdBy: viewer.id, createdAt: now })
      .returning({ id: scimGroupMappings.id });
    await recordAudit(
      tx,
      context,
      {
        action: "scim.group_mapped",
        targetType: "api_client",
        targetId: input.clientId,
        data: { groupName: input.groupName, ...target },
      },
      now,
    );
    return row;
  });
}

export async function removeGroupMapping(
  viewer: Viewer,
  context: AuditContext,
  id: string,
  now = new Date(),
): Promise<void> {
  assertMay(viewer, "administer");
  const db = await getDb();
  await db.transaction(async (tx) => {
    const [row] = await tx.delete(scimGroupMappings).where(eq(scimGroupMappings.id, id)).returning({
      clientId: scimGroupMappings.clientId,
      groupName: scimGroupMappings.groupName,
      role: scimGroupMappings.role,
      departmentId: scimGroupMappings.departmentId,
    });
    if (!row) throw new NotFoundError("That mapping does not exist.");
    await recordAudit(
      tx,
      context,
      {
        action: "scim.group_unmapped",
        targetType: "api_client",
        targetId: row.clientId,
        data: { groupName: row.groupName, role: row.role, departmentId: row.departmentId },
      },
      now,
    );
  });
}

export async function listGroupMappings(viewer: Viewer) {
  assertMay(viewer, "administer");
  const db = await getDb();
  return db
    .select({
      id: scimGroupMappings.id,
      clientId: scimGroupMappings.clientId,
      clientName: apiClients.name,
      groupName: scimGroupMappings.groupName,
      role: scimGroupMappings.role,
      department: departments.name,
    })
    .from(scimGroupMappings)
    .innerJoin(apiClients, eq(apiClients.id, scimGroupMappings.clientId))
    .leftJoin(departments, eq(departments.id, scimGroupMappings.departmentId))
    .orderBy(asc(apiClients.name), asc(scimGroupMappings.groupName));
}
