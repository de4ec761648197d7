import "server-only";

import { and, desc, eq } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";

import { getDb } from "@/db/client";
import { correctionRequests, departments, people, type EmailCadence } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import { assertMay } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { DomainError, NotFoundError } from "@/lib/errors";

/** `reminderDigest` null follows the organisation's default cadence. */
export type Preferences = { reminderDigest: EmailCadence | null; managerSeesScores: boolean };

export async function getPreferences(viewer: Viewer): Promise<Preferences> {
  const db = await getDb();
  const [row] = await db
    .select({ reminderDigest: people.reminderDigest, managerSeesScores: people.managerSeesScores })
    .from(people)
    .where(eq(people.id, viewer.id));
  return row;
}

/** Changes some of the person's own preferences; the audit event shows all of them before and after. */
export async function updatePreferences(
  viewer: Viewer,
  context: AuditContext,
  changes: Partial<Preferences>,
  now = new Date(),
) {
  const db = await getDb();
  await db.transaction(async (tx) => {
    const [before] = await tx
      .select({ reminderDigest: people.reminderDigest, managerSeesScores: people.managerSeesScores })
      .from(people)
      .where(eq(people.id, viewer.id))
      .for("update");
    const prefs: Preferences = { ...before, ...changes };
    await tx
      .update(people)
      .set({ ...prefs, updatedAt: now })
      .where(eq(people.id, viewer.id));
    await recordAudit(
      tx,
      context,
      {
        action: "privacy.preferences_changed",
        targetType: "person",
        targetId: viewer.id,
        data: { from: before, to: prefs },
      },
      now,
    );
  });
}

/** Whether a manager may see this person's quiz scores, or only pass/fail. */
export async function managerSeesScoresOf(personId: string): Promise<boolean> {
  const db = await getDb();
  const [row] = await db.select({ allowed: people.managerSeesScores }).from(people).where(eq(people.id, personId));
  return row?.allowed ?? false;
}

export const CORRECTABLE_FIELDS = {
  name: "Name",
  department: "Department",
  title: "Job title",
  manager: "Manager",
  other: "Something else",
} as const;

export async function requestCorrection(
  viewer: Viewer,
  context: AuditContext,
  input: { field: keyof typeof CORRECTABLE_FIELDS; requestedValue: string; note?: string },
  now = new Date(),
) {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(correctionRequests)
      .values({
        personId: viewer.id,
        field: input.field,
        requestedValue: input.requestedValue,
        note: input.note || null,
        createdAt: now,
      })
      .returning({ id: correctionRequests.id });
    await recordAudit(
      tx,
      context,
      {
        action: "privacy.correction_requested",
        targetType: "person",
        targetId: viewer.id,
        data: { requestId: row.id, field: input.field },
      },
      now,
    );
    return row;
  });
}

export async function myCorrections(viewer: Viewer) {
  const db = await getDb();
  return db
    .select()
    .from(correctionRequests)
    .where(eq(correctionRequests.personId, viewer.id))
    .orderBy(desc(correctionRequests.createdAt));
}

/** Open requests with the person's current values, so a reviewer sees what a change would replace. */
export async function openCorrections(viewer: Viewer) {
  assertMay(viewer, "administer");
  const db = await getDb();
  const manager = alias(people, "manager");
  return db
    .select({
      id: correctionRequests.id,
      field: correctionRequests.field,
      requestedValue: correctionRequests.requestedValue,
      note: correctionRequests.note,
      createdAt: correctionRequests.createdAt,
      personId: people.id,
      name: people.name,
      email: people.email,
      title: people.title,
      departmentId: people.departmentId,
      departmentName: departments.name,
      managerEmail: manager.email,
    })
    .from(correctionRequests)
    .innerJoin(people, eq(people.id, correctionRequests.personId))
    .leftJoin(departments, eq(departments.id, people.departmentId))
    .leftJoin(manager, eq(manager.id, people.managerId))
    .where(eq(correctionRequests.status, "open"))
    .orderBy(correctionRequests.createdAt);
}

/** Resolving records the outcome only; `applyCorrection` also changes the record. */
export async function resolveCorrection(
  viewer: Viewer,
  context: AuditContext,
  id: string,
  outcome: "resolved" | "rejected",
  resolution: string,
  now = new Date(),
) {
  assertMay(viewer, "administer");
  const db = await getDb();
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(correctionRequests)
      .set({ status: outcome, resolution: resolution || null, resolvedBy: viewer.id, resolvedAt: now })
      .where(and(eq(correctionRequests.id, id), eq(correctionRequests.status, "open")))
      .returning({ personId: correctionRequests.personId });
    if (!row) throw new NotFoundError("That request is not open.");
    if (row.personId === viewer.id)
      throw new DomainError("own_request", "Another compliance admin must resolve your own correction request.");
    await recordAudit(
      tx,
      context,
      {
        action: outcome === "resolved" ? "privacy.correction_resolved" : "privacy.correction_rejected",
        targetType: "person",
        targetId: row.personId,
        data: { requestId: id },
      },
      now,
    );
  });
}
