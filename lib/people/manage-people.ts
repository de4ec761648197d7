import "server-only";

import { and, asc, eq, ilike, or, sql } from "drizzle-orm";

import { getDb } from "@/db/client";
import { appRoles, departments, people, personStatuses, type AppRole, type PersonStatus } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import { assertMay } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { revokeSessionsOf } from "@/lib/auth/sessions";
import { DomainError, NotFoundError } from "@/lib/errors";
import { likeLiteral } from "@/lib/http/search-params";

export type PersonRow = {
  id: string;
  email: string;
  name: string;
  department: string | null;
  title: string | null;
  managerName: string | null;
  status: PersonStatus;
  roles: AppRole[];
  mfaEnabled: boolean;
};

export async function listPeople(
  viewer: Viewer,
  options: { query?: string; status?: PersonStatus; page?: number; pageSize?: number } = {},
) {
  assertMay(viewer, "oversee");
  const db = await getDb();
  const pageSize = Math.min(options.pageSize ?? 50, 200);
  const page = Math.max(1, options.page ?? 1);
  const q = options.query?.trim();
  // "50%" or "a_b" are searched as typed, not as patterns.
  const pattern = q ? `%${likeLiteral(q)}%` : null;
  const where = and(
    pattern ? or(ilike(people.name, pattern), ilike(people.email, pattern)) : undefined,
    options.status && personStatuses.includes(options.status) ? eq(people.status, options.status) : undefined,
  );
  const manager = sql<string | null>`(select m.name from people m where m.id = ${people.managerId})`;
  const rows = await db
    .select({
      id: people.id,
      email: people.email,
      name: people.name,
      department: departments.name,
      title: people.title,
      managerName: manager,
      status: people.status,
      roles: people.roles,
      mfaEnabledAt: people.mfaEnabledAt,
    })
    .from(people)
    .leftJoin(departments, eq(departments.id, people.departmentId))
    .where(where)
    .orderBy(asc(people.name))
    .limit(pageSize)
    .offset((page - 1) * pageSize);
  const [{ total }] = await db
    .select({ total: sql<number>`count(*)::int` })
    .from(people)
    .where(where);
  return {
    total,
    page,
    pageSize,
    rows: rows.map(({ mfaEnabledAt, ...r }) => ({
      ...r,
      roles: r.roles as AppRole[],
      mfaEnabled: mfaEnabledAt !== null,
    })) satisfies PersonRow[],
  };
}

export async function setPersonStatus(
  viewer: Viewer,
  context: AuditContext,
  personId: string,
  status: PersonStatus,
  now = new Date(),
) {
  assertMay(viewer, "administer");
  if (personId === viewer.id && status !== "active")
    throw new DomainError("self_change", "You cannot suspend or depart your own account.");
  const db = await getDb();
  await db.transaction(async (tx) => {
    const [before] = await tx
      .select({ status: people.status })
      .from(people)
      .where(eq(people.id, personId))
      .for("update");
    if (!before) throw new NotFoundError("That person does not exist.");
    if (before.status === status) return;
    await tx
      .update(people)
      .set({ status, departedAt: status === "departed" ? now : null, updatedAt: now })
      .where(eq(people.id, personId));
    await recordAudit(
      tx,
      context,
      {
        action: "person.status_changed",
        targetType: "person",
        targetId: personId,
        data: { from: before.status, to: status },
      },
      now,
    );
    // A suspension or departure ends every session now; reactivating does not bring them back.
    await revokeSessionsOf(tx, personId, "status_changed", now);
  });
}

export async function setPersonRoles(
  viewer: Viewer,
  context: AuditContext,
  personId: string,
  roles: AppRole[],
  now = new Date(),
) {
  assertMay(viewer, "administer");
  const next = Array.from(new Set<AppRole>(["employee", ...roles.filter((r) => appRoles.includes(r))])).sort();
  if (personId === viewer.id && !next.includes("compliance_admin")) {
    throw new DomainError("self_change", "You cannot remove your own compliance admin role.");
  }
  const db = await getDb();
  await db.transaction(async (tx) => {
    const [before] = await tx.select({ roles: people.roles }).from(people).where(eq(people.id, personId)).for("update");
    if (!before) throw new NotFoundError("That person does not exist.");
    const previous = [...before.roles].sort();
    if (previous.join() === next.join()) return;
    await tx.update(people).set({ roles: next, updatedAt: now }).where(eq(people.id, personId));
    await recordAudit(
      tx,
      context,
      { action: "person.roles_changed", targetType: "person", targetId: personId, data: { from: previous, to: next } },
      now,
    );
    await revokeSessionsOf(tx, personId, "roles_changed", now);
  });
}

export async function getPersonName(personId: string): Promise<string | null> {
  const db = await getDb();
  const [row] = await db
    .select({ name: people.name })
    .from(people)
    .where(and(eq(people.id, personId)))
    .limit(1);
  return row?.name ?? null;
}
