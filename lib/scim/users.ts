import "server-only";

import { and, asc, eq, ne, sql, type SQL } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { departments, people, scimIdentities } from "@/db/schema";
import { isUuid } from "@/lib/ids";

import { listResponse } from "./actor";
import { notFound, ScimError } from "./errors";
import { ENTERPRISE_URN, parseFilter } from "./filter";
import { personName, userResource, type ScimUserState } from "./user-resource";

/** Every person is visible to SCIM (an identity provider matches existing people by userName); departed people are deleted ones. */
const userColumns = {
  id: people.id,
  email: people.email,
  name: people.name,
  title: people.title,
  status: people.status,
  managerId: people.managerId,
  department: departments.name,
  createdAt: people.createdAt,
  updatedAt: people.updatedAt,
  userName: scimIdentities.userName,
  externalId: scimIdentities.externalId,
  givenName: scimIdentities.givenName,
  familyName: scimIdentities.familyName,
  employeeNumber: scimIdentities.employeeNumber,
};

export type UserRow = {
  id: string;
  email: string;
  name: string;
  title: string | null;
  status: string;
  managerId: string | null;
  department: string | null;
  createdAt: Date;
  updatedAt: Date;
  userName: string | null;
  externalId: string | null;
  givenName: string | null;
  familyName: string | null;
  employeeNumber: string | null;
};

export function stateOf(row: UserRow): ScimUserState {
  const state: ScimUserState = {
    userName: row.userName ?? row.email,
    externalId: row.externalId,
    displayName: null,
    givenName: row.givenName,
    familyName: row.familyName,
    email: row.email,
    title: row.title,
    active: row.status === "active",
    department: row.department,
    managerId: row.managerId,
    employeeNumber: row.employeeNumber,
  };
  // A name that was made from the given and family names follows them when they change.
  if (personName(state) !== row.name) state.displayName = row.name;
  return state;
}

export const userLocation = (baseUrl: string, id: string) => `${baseUrl}/Users/${id}`;

export function userJson(row: UserRow, baseUrl: string) {
  return userResource(stateOf(row), {
    id: row.id,
    created: row.createdAt,
    lastModified: row.updatedAt,
    location: userLocation(baseUrl, row.id),
  });
}

function selectUsers(db: Executor) {
  return db
    .select(userColumns)
    .from(people)
    .leftJoin(scimIdentities, eq(scimIdentities.personId, people.id))
    .leftJoin(departments, eq(departments.id, people.departmentId));
}

/** One person by id, locked for the rest of the transaction when `lock`; deleted (departed) people are not found. */
export async function readUser(db: Executor, id: string, options: { lock?: boolean } = {}): Promise<UserRow> {
  if (!isUuid(id)) throw notFound("User");
  const query = selectUsers(db).where(and(eq(people.id, id), ne(people.status, "departed")));
  const [row] = options.lock ? await query.for("update", { of: people }) : await query;
  if (!row) throw notFound("User");
  return row;
}

const invalidFilter = (detail: string) => new ScimError(400, detail, "invalidFilter");

/** The SQL for one `eq` comparison on a User. */
function userCondition(
  attr: string,
  sub: string | undefined,
  filter: { attr: string; value: unknown } | undefined,
  value: unknown,
): SQL {
  if (typeof value !== "string") throw invalidFilter("Compare with a quoted string.");
  const lower = value.toLowerCase();
  if (attr === "username" && !sub) return sql`lower(coalesce(${scimIdentities.userName}, ${people.email})) = ${lower}`;
  if (attr === "externalid" && !sub) return eq(scimIdentities.externalId, value);
  if (attr === "id" && !sub) return isUuid(value) ? eq(people.id, value) : sql`false`;
  if (
    attr === "emails" &&
    sub === "value" &&
    (!filter || (filter.attr === "type" && String(filter.value).toLowerCase() === "work"))
  )
    return eq(people.email, lower);
  if (attr === `${ENTERPRISE_URN}:employeenumber`) return eq(scimIdentities.employeeNumber, value);
  throw invalidFilter(`Filtering Users on ${attr}${sub ? `.${sub}` : ""} is not supported.`);
}

export async function listUsers(
  db: Executor,
  query: { filter: string | null; startIndex: number; count: number },
  baseUrl: string,
) {
  const conditions =
    query.filter === null
      ? []
      : parseFilter(query.filter).map((c) => userCondition(c.path.attr, c.path.sub, c.path.filter, c.value));
  const where = and(ne(people.status, "departed"), ...conditions);
  const base = db
    .select({ total: sql<number>`count(*)::int` })
    .from(people)
    .leftJoin(scimIdentities, eq(scimIdentities.personId, people.id));
  const [{ total }] = await base.where(where);
  const rows =
    query.count === 0
      ? []
      : await selectUsers(db)
          .where(where)
          .orderBy(asc(people.createdAt), asc(people.id))
          .limit(query.count)
          .offset(query.startIndex - 1);
  return listResponse(
    rows.map((r) => userJson(r, baseUrl)),
    total,
    query.startIndex,
  );
}
