import "server-only";

import { and, asc, eq, inArray, ne, sql, type SQL } from "drizzle-orm";

import { getDb, type Executor } from "@/db/client";
import { inIds } from "@/db/id-list";
import { people, scimGroupMembers, scimGroups } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { isUuid } from "@/lib/ids";

import { listResponse, scimAuditContext, scimTransaction, type ScimActor } from "./actor";
import { invalidValue, notFound, ScimError } from "./errors";
import { CORE_GROUP_URN, parseFilter } from "./filter";
import { syncMappedAccess } from "./mapped-access";
import { applyGroupPatch, groupFromResource, parsePatch, type ScimGroupState } from "./patch";

export const GROUP_SCHEMA = CORE_GROUP_URN.replace(":group", ":Group");

type GroupRow = { id: string; displayName: string; externalId: string | null; createdAt: Date; updatedAt: Date };
const groupColumns = {
  id: scimGroups.id,
  displayName: scimGroups.displayName,
  externalId: scimGroups.externalId,
  createdAt: scimGroups.createdAt,
  updatedAt: scimGroups.updatedAt,
};

/** A group of this client only: another client's groups do not exist for it. */
async function readGroup(
  db: Executor,
  actor: ScimActor,
  id: string,
  options: { lock?: boolean } = {},
): Promise<GroupRow> {
  if (!isUuid(id)) throw notFound("Group");
  const query = db
    .select(groupColumns)
    .from(scimGroups)
    .where(and(eq(scimGroups.id, id), eq(scimGroups.clientId, actor.clientId)));
  const [row] = options.lock ? await query.for("update") : await query;
  if (!row) throw notFound("Group");
  return row;
}

async function membersOf(db: Executor, groupIds: string[]) {
  if (groupIds.length === 0) return new Map<string, { value: string; display: string }[]>();
  const rows = await db
    .select({ groupId: scimGroupMembers.groupId, id: people.id, name: people.name })
    .from(scimGroupMembers)
    .innerJoin(people, eq(people.id, scimGroupMembers.personId))
    .where(inArray(scimGroupMembers.groupId, groupIds))
    .orderBy(asc(people.name));
  const map = new Map<string, { value: string; display: string }[]>();
  for (const r of rows) map.set(r.groupId, [...(map.get(r.groupId) ?? []), { value: r.id, display: r.name }]);
  return map;
}

function groupJson(row: GroupRow, members: { value: string; display: string }[] | null, baseUrl: string) {
  const location = `${baseUrl}/Groups/${row.id}`;
  return {
    schemas: [GROUP_SCHEMA],
    id: row.id,
    displayName: row.displayName,
    ...(row.externalId ? { externalId: row.externalId } : {}),
    ...(members ? { members: members.map((m) => ({ ...m, $ref: `${baseUrl}/Users/${m.value}` })) } : {}),
    meta: {
      resourceType: "Group",
      created: row.createdAt.toISOString(),
      lastModified: row.updatedAt.toISOString(),
      location,
    },
  };
}

export async function getGroup(actor: ScimActor, id: string, baseUrl: string, options: { withMembers: boolean }) {
  const db = await getDb();
  const row = await readGroup(db, actor, id);
  return groupJson(row, options.withMembers ? ((await membersOf(db, [row.id])).get(row.id) ?? []) : null, baseUrl);
}

const invalidFilter = (detail: string) => new ScimError(400, detail, "invalidFilter");

function groupCondition(attr: string, sub: string | undefined, value: unknown): SQL {
  if (typeof value !== "string") throw invalidFilter("Compare with a quoted string.");
  if (attr === "displayname" && !sub) return sql`lower(${scimGroups.displayName}) = ${value.toLowerCase()}`;
  if (attr === "externalid" && !sub) return eq(scimGroups.externalId, value);
  if (attr === "id" && !sub) return isUuid(value) ? eq(scimGroups.id, value) : sql`false`;
  if (attr === "members" && sub === "value")
    return isUuid(value)
      ? sql`exists (select 1 from ${scimGroupMembers} where ${scimGroupMembers.groupId} = ${scimGroups.id} and ${scimGroupMembers.personId} = ${value})`
      : sql`false`;
  throw invalidFilter(`Filtering Groups on ${attr}${sub ? `.${sub}` : ""} is not supported.`);
}

export async function listGroups(
  actor: ScimActor,
  query: { filter: string | null; startIndex: number; count: number; withMembers: boolean },
  baseUrl: string,
) {
  const db = await getDb();
  const conditions =
    query.filter === null ? [] : parseFilter(query.filter).map((c) => groupCondition(c.path.attr, c.path.sub, c.value));
  const where = and(eq(scimGroups.clientId, actor.clientId), ...conditions);
  const [{ total }] = await db
    .select({ total: sql<number>`count(*)::int` })
    .from(scimGroups)
    .where(where);
  const rows =
    query.count === 0
      ? []
      : await db
          .select(groupColumns)
          .from(scimGroups)
          .where(where)
          .orderBy(asc(scimGroups.createdAt), asc(scimGroups.id))
          .limit(query.count)
          .offset(query.startIndex - 1);
  const members = query.withMembers
    ? await membersOf(
        db,
        rows.map((r) => r.id),
      )
    : null;
  return listResponse(
    rows.map((r) => groupJson(r, members ? (members.get(r.id) ?? []) : null, baseUrl)),
    total,
    query.startIndex,
  );
}

/** Members must be people who exist and have not been deleted. */
async function checkMembers(tx: Executor, ids: string[]): Promise<string[]> {
  const unique = Array.from(new Set(ids.map((id) => id.toLowerCase())));
  if (unique.some((id) => !isUuid(id))) throw invalidValue("members must be ids of Users.");
  if (unique.length === 0) return [];
  const found = await tx
    .select({ id: people.id })
    .from(people)
    .where(and(inIds(people.id, unique), ne(people.status, "departed")));
  if (found.length !== unique.length) throw invalidValue("members names a User that does not exist.");
  return unique;
}

/** Writes the group's name and members from `next`, audits the difference, and applies the mappings to everyone it touched. */
async function writeGroup(
  tx: Executor,
  actor: ScimActor,
  row: GroupRow,
  before: ScimGroupState,
  next: ScimGroupState,
  now: Date,
) {
  const members = await checkMembers(tx, next.members);
  const added = members.filter((m) => !before.members.includes(m));
  const removed = before.members.filter((m) => !members.includes(m));
  const renamed = next.displayName !== before.displayName || next.externalId !== before.externalId;
  if (!renamed && added.length === 0 && removed.length === 0) return;
  if (next.displayName !== before.displayName) {
    const [taken] = await tx
      .select({ id: scimGroups.id })
      .from(scimGroups)
      .where(
        and(
          eq(scimGroups.clientId, actor.clientId),
          eq(scimGroups.displayName, next.displayName),
          ne(scimGroups.id, row.id),
        ),
      );
    if (taken) throw new ScimError(409, "Another Group already has that displayName.", "uniqueness");
  }
  await tx
    .update(scimGroups)
    .set({ displayName: next.displayName, externalId: next.externalId, updatedAt: now })
    .where(eq(scimGroups.id, row.id));
  if (removed.length)
    await tx
      .delete(scimGroupMembers)
      .where(and(eq(scimGroupMembers.groupId, row.id), inIds(scimGroupMembers.personId, removed)));
  if (added.length) await tx.insert(scimGroupMembers).values(added.map((personId) => ({ groupId: row.id, personId })));
  const data = {
    client: actor.clientId,
    displayName: next.displayName,
    ...(next.displayName !== before.displayName ? { renamedFrom: before.displayName } : {}),
    added,
    removed,
  };
  await recordAudit(
    tx,
    scimAuditContext(actor),
    { action: "scim.group_updated", targetType: "scim_group", targetId: row.id, data },
    now,
  );
  await syncMappedAccess(
    tx,
    actor,
    next.displayName !== before.displayName ? [...before.members, ...members] : [...added, ...removed],
    now,
  );
}

export async function createGroup(actor: ScimActor, body: unknown, now = new Date()): Promise<string> {
  const state = groupFromResource(body);
  return scimTransaction(async (tx) => {
    const members = await checkMembers(tx, state.members);
    const [taken] = await tx
      .select({ id: scimGroups.id })
      .from(scimGroups)
      .where(and(eq(scimGroups.clientId, actor.clientId), eq(scimGroups.displayName, state.displayName)));
    if (taken) throw new ScimError(409, "A Group with that displayName exists.", "uniqueness");
    const [row] = await tx
      .insert(scimGroups)
      .values({
        clientId: actor.clientId,
        displayName: state.displayName,
        externalId: state.externalId,
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: scimGroups.id });
    if (members.length)
      await tx.insert(scimGroupMembers).values(members.map((personId) => ({ groupId: row.id, personId })));
    await recordAudit(
      tx,
      scimAuditContext(actor),
      {
        action: "scim.group_created",
        targetType: "scim_group",
        targetId: row.id,
        data: { client: actor.clientId, displayName: state.displayName, added: members },
      },
      now,
    );
    await syncMappedAccess(tx, actor, members, now);
    return row.id;
  });
}

async function stateOfGroup(tx: Executor, row: GroupRow): Promise<ScimGroupState> {
  const members = await tx
    .select({ id: scimGroupMembers.personId })
    .from(scimGroupMembers)
    .where(eq(scimGroupMembers.groupId, row.id));
  return { displayName: row.displayName, externalId: row.externalId, members: members.map((m) => m.id) };
}

export async function replaceGroup(actor: ScimActor, id: string, body: unknown, now = new Date()): Promise<void> {
  const next = groupFromResource(body);
  await scimTransaction(async (tx) => {
    const row = await readGroup(tx, actor, id, { lock: true });
    await writeGroup(tx, actor, row, await stateOfGroup(tx, row), next, now);
  });
}

export async function patchGroup(actor: ScimActor, id: string, body: unknown, now = new Date()): Promise<void> {
  const operations = parsePatch(body);
  await scimTransaction(async (tx) => {
    const row = await readGroup(tx, actor, id, { lock: true });
    const before = await stateOfGroup(tx, row);
    await writeGroup(tx, actor, row, before, applyGroupPatch(before, operations), now);
  });
}

export async function deleteGroup(actor: ScimActor, id: string, now = new Date()): Promise<void> {
  await scimTransaction(async (tx) => {
    const row = await readGroup(tx, actor, id, { lock: true });
    const { members } = await stateOfGroup(tx, row);
    await tx.delete(scimGroupMembers).where(eq(scimGroupMembers.groupId, row.id));
    await tx.delete(scimGroups).where(eq(scimGroups.id, row.id));
    await recordAudit(
      tx,
      scimAuditContext(actor),
      {
        action: "scim.group_deleted",
        targetType: "scim_group",
        targetId: row.id,
        data: { client: actor.clientId, displayName: row.displayName, removed: members },
      },
      now,
    );
    await syncMappedAccess(tx, actor, members, now);
  });
}
