import "server-only";

import { and, asc, desc, eq, gt, isNull, ne, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";

import { getDb, type Executor } from "@/db/client";
import { appRoles, departments, passwordTokens, people, type AppRole, type PersonStatus } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import { assertMay } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { revokeSessionsOf } from "@/lib/auth/sessions";
import { DomainError, NotFoundError } from "@/lib/errors";
import { isReportOf } from "@/lib/people/reporting-line";
import { syncAssignments } from "@/lib/training/assignments";

import { issueInvitation } from "./invitations";
import { auditChanges, isValidIsoDate, normaliseEmail, type PersonSnapshot } from "./person-fields";

const blankToNull = (v: unknown) => (typeof v === "string" && v.trim() === "" ? null : v === undefined ? null : v);
const asArray = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The person form, shared by create and edit. Empty optional fields mean "none". */
export const personFormSchema = z.object({
  name: z.string().trim().min(1, "Enter the person's full name.").max(200, "Use at most 200 characters."),
  email: z
    .string()
    .trim()
    .min(1, "Enter the person's work email address.")
    .transform(normaliseEmail)
    .pipe(z.email("Enter a valid email address, like name@example.com.").max(320, "Use at most 320 characters.")),
  departmentId: z.preprocess(blankToNull, z.string().max(100).nullable()),
  title: z.preprocess(blankToNull, z.string().trim().max(200, "Use at most 200 characters.").nullable()),
  managerEmail: z.preprocess(
    (v) => (typeof v === "string" ? normaliseEmail(v) : v),
    z.preprocess(blankToNull, z.email("Enter the manager's email address, or leave the field empty.").nullable()),
  ),
  hireDate: z.preprocess(
    blankToNull,
    z.string().refine(isValidIsoDate, "Enter a real date, like 2026-11-01.").nullable(),
  ),
  roles: z.preprocess(asArray, z.array(z.enum(appRoles, "Choose roles from the list."))),
});
export type PersonInput = z.infer<typeof personFormSchema>;

/** A failure tied to form fields (the email is taken, the manager is unknown): shown beside them. */
export class PersonFieldError extends DomainError {
  constructor(readonly fieldErrors: Record<string, string[]>) {
    super("invalid_person", "Please correct the highlighted fields.");
  }
}

const normaliseRoles = (roles: readonly string[]): AppRole[] =>
  Array.from(new Set<AppRole>(["employee", ...(roles as AppRole[])])).sort();

export async function departmentOptions(): Promise<{ id: string; name: string }[]> {
  const db = await getDb();
  return db.select({ id: departments.id, name: departments.name }).from(departments).orderBy(asc(departments.name));
}

/** Who can be picked as a manager: active people, for the form's suggestions. */
export async function managerOptions(viewer: Viewer): Promise<{ email: string; name: string }[]> {
  assertMay(viewer, "administer");
  const db = await getDb();
  return db
    .select({ email: people.email, name: people.name })
    .from(people)
    .where(eq(people.status, "active"))
    .orderBy(asc(people.name))
    .limit(5000);
}

export type PersonForEdit = Omit<PersonSnapshot, "roles"> & {
  id: string;
  roles: AppRole[];
  departmentName: string | null;
  status: PersonStatus;
  hasPassword: boolean;
  mfaEnabled: boolean;
  createdAt: Date;
  /** The newest invitation, if the person has not set a password yet. */
  invitation: { sentAt: Date; expiresAt: Date; expired: boolean } | null;
};

export async function personForEdit(viewer: Viewer, personId: string, now = new Date()): Promise<PersonForEdit> {
  assertMay(viewer, "oversee");
  const db = await getDb();
  const manager = alias(people, "manager");
  const [row] = await db
    .select({
      id: people.id,
      email: people.email,
      name: people.name,
      departmentId: people.departmentId,
      departmentName: departments.name,
      title: people.title,
      managerEmail: manager.email,
      hireDate: people.hireDate,
      roles: people.roles,
      status: people.status,
      hasPassword: sql<boolean>`${people.passwordHash} is not null`,
      mfaEnabledAt: people.mfaEnabledAt,
      createdAt: people.createdAt,
    })
    .from(people)
    .leftJoin(manager, eq(manager.id, people.managerId))
    .leftJoin(departments, eq(departments.id, people.departmentId))
    .where(eq(people.id, personId));
  if (!row) throw new NotFoundError("That person does not exist.");
  const [invitation] = row.hasPassword
    ? []
    : await db
        .select({ sentAt: passwordTokens.createdAt, expiresAt: passwordTokens.expiresAt })
        .from(passwordTokens)
        .where(and(eq(passwordTokens.personId, personId), isNull(passwordTokens.usedAt)))
        .orderBy(desc(passwordTokens.createdAt))
        .limit(1);
  const { mfaEnabledAt, ...person } = row;
  return {
    ...person,
    roles: normaliseRoles(person.roles),
    mfaEnabled: mfaEnabledAt !== null,
    invitation: invitation ? { ...invitation, expired: invitation.expiresAt.getTime() <= now.getTime() } : null,
  };
}

/** Checks what needs the database (email free, department and manager known, no loop) and returns the manager's id. */
async function resolveReferences(tx: Executor, input: PersonInput, personId: string | null): Promise<string | null> {
  const errors: Record<string, string[]> = {};
  const [taken] = await tx
    .select({ id: people.id })
    .from(people)
    .where(and(eq(people.email, input.email), personId ? ne(people.id, personId) : undefined))
    .limit(1);
  if (taken) errors.email = ["Someone else already has this email address."];
  if (input.departmentId) {
    const [department] = await tx
      .select({ id: departments.id })
      .from(departments)
      .where(eq(departments.id, input.departmentId));
    if (!department) errors.departmentId = ["Choose a department from the list."];
  }
  let managerId: string | null = null;
  if (input.managerEmail) {
    const [manager] = await tx
      .select({ id: people.id, name: people.name })
      .from(people)
      .where(eq(people.email, input.managerEmail));
    if (!manager) errors.managerEmail = ["No one has this email address. Add the manager first."];
    else if (manager.id === personId || input.managerEmail === input.email)
      errors.managerEmail = ["Someone cannot be their own manager."];
    else if (personId && (await isReportOf(tx, personId, manager.id)))
      errors.managerEmail = [`${manager.name} reports to this person, so cannot be their manager.`];
    else managerId = manager.id;
  }
  if (Object.keys(errors).length > 0) throw new PersonFieldError(errors);
  return managerId;
}

const snapshotOf = (input: PersonInput): PersonSnapshot => ({
  email: input.email,
  name: input.name,
  departmentId: input.departmentId,
  title: input.title,
  managerEmail: input.managerEmail,
  hireDate: input.hireDate,
  roles: normaliseRoles(input.roles),
});

/** Adds a person and emails them an invitation to set their password; audited as `person.created`. */
export async function createPerson(
  viewer: Viewer,
  context: AuditContext,
  input: PersonInput,
  now = new Date(),
): Promise<{ id: string }> {
  assertMay(viewer, "administer");
  const db = await getDb();
  return db.transaction(async (tx) => {
    const managerId = await resolveReferences(tx, input, null);
    const after = snapshotOf(input);
    const [row] = await tx
      .insert(people)
      .values({
        email: after.email,
        name: after.name,
        departmentId: after.departmentId,
        title: after.title,
        managerId,
        hireDate: after.hireDate,
        roles: after.roles,
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: people.id });
    await recordAudit(
      tx,
      context,
      { action: "person.created", targetType: "person", targetId: row.id, data: { ...after, source: "form" } },
      now,
    );
    await issueInvitation(tx, { id: row.id, email: after.email, name: after.name }, viewer.name, now);
    await syncAssignments(tx, { personIds: [row.id], now });
    return row;
  });
}

/** Saves the changed fields; audited as `person.updated` with each field before and after. */
export async function updatePerson(
  viewer: Viewer,
  context: AuditContext,
  personId: string,
  input: PersonInput,
  now = new Date(),
): Promise<{ changed: string[] }> {
  assertMay(viewer, "administer");
  const db = await getDb();
  return db.transaction((tx) => updatePersonIn(tx, viewer, context, personId, input, now));
}

/** `updatePerson` inside a transaction the caller holds, so another change (a correction request) commits with it. */
export async function updatePersonIn(
  tx: Executor,
  viewer: Viewer,
  context: AuditContext,
  personId: string,
  input: PersonInput,
  now: Date,
): Promise<{ changed: string[] }> {
  assertMay(viewer, "administer");
  const manager = alias(people, "manager");
  const [current] = await tx
    .select({
      email: people.email,
      name: people.name,
      departmentId: people.departmentId,
      title: people.title,
      managerEmail: manager.email,
      hireDate: people.hireDate,
      roles: people.roles,
      status: people.status,
      hasPassword: sql<boolean>`${people.passwordHash} is not null`,
    })
    .from(people)
    .leftJoin(manager, eq(manager.id, people.managerId))
    .where(eq(people.id, personId))
    .for("update", { of: people });
  if (!current) throw new NotFoundError("That person does not exist.");
  const after = snapshotOf(input);
  if (personId === viewer.id && !after.roles.includes("compliance_admin")) {
    throw new PersonFieldError({ roles: ["You cannot remove your own compliance admin role."] });
  }
  const managerId = await resolveReferences(tx, input, personId);
  const { status, hasPassword, ...snapshot } = current;
  const changes = auditChanges({ ...snapshot, roles: normaliseRoles(current.roles) }, after);
  const changed = Object.keys(changes);
  if (changed.length === 0) return { changed };
  await tx
    .update(people)
    .set({
      email: after.email,
      name: after.name,
      departmentId: after.departmentId,
      title: after.title,
      managerId,
      hireDate: after.hireDate,
      roles: after.roles,
      updatedAt: now,
    })
    .where(eq(people.id, personId));
  await recordAudit(
    tx,
    context,
    { action: "person.updated", targetType: "person", targetId: personId, data: { changes } },
    now,
  );
  if (changes.roles) await revokeSessionsOf(tx, personId, "roles_changed", now);
  if (changes.email) {
    // A link sent to the old address (perhaps a typo) must not keep working: it goes to the new one.
    await tx
      .update(passwordTokens)
      .set({ expiresAt: now })
      .where(
        and(eq(passwordTokens.personId, personId), isNull(passwordTokens.usedAt), gt(passwordTokens.expiresAt, now)),
      );
    if (!hasPassword && status === "active") {
      await issueInvitation(tx, { id: personId, email: after.email, name: after.name }, viewer.name, now);
      await recordAudit(
        tx,
        context,
        {
          action: "person.invitation_sent",
          targetType: "person",
          targetId: personId,
          data: { reason: "email_changed" },
        },
        now,
      );
    }
  }
  // A new department or role can bring new required courses.
  if (changes.department || changes.roles || changes.hire_date)
    await syncAssignments(tx, { personIds: [personId], now });
  return { changed };
}

/** A fresh invitation for someone who has not set a password yet; the older link stops working. */
export async function resendInvitation(
  viewer: Viewer,
  context: AuditContext,
  personId: string,
  now = new Date(),
): Promise<{ email: string; expiresAt: Date }> {
  assertMay(viewer, "administer");
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [person] = await tx
      .select({
        id: people.id,
        email: people.email,
        name: people.name,
        status: people.status,
        hasPassword: sql<boolean>`${people.passwordHash} is not null`,
      })
      .from(people)
      .where(eq(people.id, personId))
      .for("update");
    if (!person) throw new NotFoundError("That person does not exist.");
    if (person.status !== "active")
      throw new DomainError("inactive", `${person.name} is not active; reactivate them first.`);
    if (person.hasPassword) throw new DomainError("password_set", `${person.name} has already set a password.`);
    const { expiresAt } = await issueInvitation(tx, person, viewer.name, now);
    await recordAudit(
      tx,
      context,
      {
        action: "person.invitation_sent",
        targetType: "person",
        targetId: person.id,
        data: { expiresAt: expiresAt.toISOString() },
      },
      now,
    );
    return { email: person.email, expiresAt };
  });
}
