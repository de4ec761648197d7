import "server-only";

import { and, eq, ne, sql } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { departments, people, scimGroupMembers, scimIdentities } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { isUuid } from "@/lib/ids";
import { isReportOf } from "@/lib/people/reporting-line";
import { syncAssignments } from "@/lib/training/assignments";

import { scimAuditContext, scimTransaction, type ScimActor } from "./actor";
import { invalidValue, ScimError } from "./errors";
import { syncMappedAccess } from "./mapped-access";
import { applyUserPatch, parsePatch } from "./patch";
import { changeStatus } from "./status-change";
import { checkedUser, personName, userFromResource, type ScimUserState } from "./user-resource";
import { readUser, stateOf, type UserRow } from "./users";

const uniqueness = (detail: string) => new ScimError(409, detail, "uniqueness");

/** The department named (by name or id, case-insensitively), created when the identity provider names a new one. */
async function departmentId(tx: Executor, name: string | null): Promise<string | null> {
  if (!name) return null;
  const [found] = await tx
    .select({ id: departments.id })
    .from(departments)
    .where(sql`lower(${departments.name}) = ${name.toLowerCase()} or lower(${departments.id}) = ${name.toLowerCase()}`)
    .limit(1);
  if (found) return found.id;
  const slug =
    name
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "")
      .slice(0, 60) || "department";
  const [taken] = await tx.select({ id: departments.id }).from(departments).where(eq(departments.id, slug));
  const [row] = await tx
    .insert(departments)
    .values({ id: taken ? `${slug}-${crypto.randomUUID().slice(0, 8)}` : slug, name })
    .returning({ id: departments.id });
  return row.id;
}

/** Refuses what the database would refuse, and what would make no sense, before anything is written. */
async function checkReferences(tx: Executor, personId: string | null, state: ScimUserState): Promise<void> {
  const others = (column: typeof people.email | typeof scimIdentities.userName | typeof scimIdentities.externalId) =>
    personId ? ne(column === people.email ? people.id : scimIdentities.personId, personId) : undefined;
  const [email] = await tx
    .select({ id: people.id })
    .from(people)
    .where(and(eq(people.email, state.email!), others(people.email)))
    .limit(1);
  if (email) throw uniqueness("Another person already has that email address.");
  const [userName] = await tx
    .select({ id: scimIdentities.personId })
    .from(scimIdentities)
    .where(and(eq(scimIdentities.userName, state.userName), others(scimIdentities.userName)))
    .limit(1);
  if (userName) throw uniqueness("Another User already has that userName.");
  if (state.externalId) {
    const [external] = await tx
      .select({ id: scimIdentities.personId })
      .from(scimIdentities)
      .where(and(eq(scimIdentities.externalId, state.externalId), others(scimIdentities.externalId)))
      .limit(1);
    if (external) throw uniqueness("Another User already has that externalId.");
  }
  if (state.managerId) {
    if (!isUuid(state.managerId)) throw invalidValue("manager.value must be the id of a User.");
    const [manager] = await tx.select({ id: people.id }).from(people).where(eq(people.id, state.managerId));
    if (!manager) throw invalidValue("manager.value names no User.");
    if (state.managerId === personId || (personId && (await isReportOf(tx, personId, state.managerId))))
      throw invalidValue("That manager reports to this User.");
  }
}

const AUDITED: (keyof ScimUserState)[] = [
  "userName",
  "externalId",
  "displayName",
  "givenName",
  "familyName",
  "email",
  "title",
  "department",
  "managerId",
  "employeeNumber",
];

function changesBetween(before: ScimUserState, after: ScimUserState) {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of AUDITED) if (before[key] !== after[key]) changes[key] = { from: before[key], to: after[key] };
  return changes;
}

/** Writes the person and their SCIM identity from `after`; `before` is null for a new person. */
async function writeUser(
  tx: Executor,
  actor: ScimActor,
  row: UserRow | null,
  after: ScimUserState,
  now: Date,
): Promise<string> {
  const context = scimAuditContext(actor);
  await checkReferences(tx, row?.id ?? null, after);
  const values = {
    email: after.email!,
    name: personName(after),
    title: after.title,
    managerId: after.managerId,
    departmentId: await departmentId(tx, after.department),
    updatedAt: now,
  };
  const identity = {
    userName: after.userName,
    externalId: after.externalId,
    givenName: after.givenName,
    familyName: after.familyName,
    employeeNumber: after.employeeNumber,
  };
  if (!row) {
    const [created] = await tx
      .insert(people)
      .values({ ...values, status: after.active ? "active" : "suspended", createdAt: now })
      .returning({ id: people.id });
    await tx
      .insert(scimIdentities)
      .values({ personId: created.id, ...identity, clientId: actor.clientId, createdAt: now });
    await recordAudit(
      tx,
      context,
      {
        action: "person.created",
        targetType: "person",
        targetId: created.id,
        data: { source: "scim", client: actor.clientId, email: values.email, name: values.name },
      },
      now,
    );
    await syncAssignments(tx, { personIds: [created.id], now });
    return created.id;
  }
  const before = stateOf(row);
  const changes = changesBetween(before, after);
  if (Object.keys(changes).length > 0) {
    await tx.update(people).set(values).where(eq(people.id, row.id));
    await tx
      .insert(scimIdentities)
      .values({ personId: row.id, ...identity, clientId: actor.clientId, createdAt: now })
      .onConflictDoUpdate({ target: scimIdentities.personId, set: identity });
    await recordAudit(
      tx,
      context,
      {
        action: "person.updated",
        targetType: "person",
        targetId: row.id,
        data: { source: "scim", client: actor.clientId, changes },
      },
      now,
    );
    if (changes.department) await syncAssignments(tx, { personIds: [row.id], now });
  }
  await changeStatus(tx, context, row, after.active ? "active" : "suspended", now);
  return row.id;
}

/**
 * POST /Users. A person who was deleted (departed) and comes back with the
 * same email is the same person again, with their history; anyone else with
 * that email or userName is a 409.
 */
export async function createUser(actor: ScimActor, body: unknown, now = new Date()): Promise<string> {
  const state = userFromResource(body);
  return scimTransaction(async (tx) => {
    const [departed] = await tx
      .select({ id: people.id })
      .from(people)
      .where(and(eq(people.email, state.email!), eq(people.status, "departed")))
      .for("update");
    if (!departed) return writeUser(tx, actor, null, state, now);
    const [row] = await tx
      .select({ id: people.id, email: people.email, status: people.status })
      .from(people)
      .where(eq(people.id, departed.id));
    await changeStatus(tx, scimAuditContext(actor), row, "active", now);
    const revived = await readUser(tx, departed.id, { lock: true });
    return writeUser(tx, actor, revived, state, now);
  });
}

/** PUT /Users/{id}: the body replaces every attribute Clearance keeps. */
export async function replaceUser(actor: ScimActor, id: string, body: unknown, now = new Date()): Promise<void> {
  const state = userFromResource(body);
  await scimTransaction(async (tx) => writeUser(tx, actor, await readUser(tx, id, { lock: true }), state, now));
}

/** PATCH /Users/{id}: applied to the row as locked in this transaction, so concurrent patches never lose one another. */
export async function patchUser(actor: ScimActor, id: string, body: unknown, now = new Date()): Promise<void> {
  const operations = parsePatch(body);
  await scimTransaction(async (tx) => {
    const row = await readUser(tx, id, { lock: true });
    await writeUser(tx, actor, row, checkedUser(applyUserPatch(stateOf(row), operations)), now);
  });
}

/** DELETE /Users/{id}: the person departs (history is kept), their sessions end, their group memberships go. */
export async function deleteUser(actor: ScimActor, id: string, now = new Date()): Promise<void> {
  await scimTransaction(async (tx) => {
    const row = await readUser(tx, id, { lock: true });
    await changeStatus(tx, scimAuditContext(actor), row, "departed", now);
    await tx.delete(scimGroupMembers).where(eq(scimGroupMembers.personId, row.id));
    await tx.delete(scimIdentities).where(eq(scimIdentities.personId, row.id));
    await syncMappedAccess(tx, actor, [row.id], now);
  });
}
