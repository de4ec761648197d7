import "server-only";

import { eq, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";

import { writeInChunks } from "@/db/chunks";
import { getDb, type Db, type Executor, type Tx } from "@/db/client";
import { departments, people } from "@/db/schema";
import { recordAuditBatch, type AuditContext, type AuditEntry } from "@/lib/audit/record";
import { assertMay } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { sha256Hex } from "@/lib/crypto/hash";
import { DomainError } from "@/lib/errors";
import { queueWelcomes } from "@/lib/notify/welcome";
import { syncAssignments } from "@/lib/training/assignments";

import { applyValues, planImport, type ExistingPerson, type ImportPlan, type ImportSummary } from "./import-rules";
import { linkManagers } from "./link-managers";
import { auditChanges, normaliseEmail } from "./person-fields";

// Any constant works; two imports at once would otherwise plan against each other's stale view.
const IMPORT_LOCK = 7_300_017;

/** Everyone who exists now, as the import rules compare rows against them: one query, whatever the size. */
async function currentPeople(
  db: Executor,
): Promise<{ people: (ExistingPerson & { id: string })[]; departments: { id: string; name: string }[] }> {
  const manager = alias(people, "manager");
  const [rows, depts] = await Promise.all([
    db
      .select({
        id: people.id,
        email: people.email,
        name: people.name,
        departmentId: people.departmentId,
        title: people.title,
        managerEmail: manager.email,
        hireDate: people.hireDate,
        roles: people.roles,
        status: people.status,
      })
      .from(people)
      .leftJoin(manager, eq(manager.id, people.managerId)),
    db.select({ id: departments.id, name: departments.name }).from(departments),
  ]);
  return { people: rows, departments: depts };
}

/** The dry run: what the file would do, row by row. Reads only; nothing is written, not even an audit event. */
export async function previewImport(viewer: Viewer, text: string): Promise<ImportPlan> {
  assertMay(viewer, "administer", "Only compliance admins can import people.");
  return previewImportAs({ email: viewer.email }, text);
}

/** Who runs an import: an admin on the page, or an operator at the command line (`maxRows` then allows a whole organisation). */
export type ImportActor = { email?: string; name?: string | null; maxRows?: number };

/** previewImport without the admin check, for the operators' command line (scripts/people-import.ts). */
export async function previewImportAs(actor: ImportActor, text: string): Promise<ImportPlan> {
  const db = await getDb();
  const current = await currentPeople(db);
  return planImport({ text, ...current, actorEmail: actor.email, maxRows: actor.maxRows });
}

export type ImportResult = { summary: ImportSummary; created: number; updated: number };

/** How far an apply got: a fraction of the work (0–1) and the step it is on, for a progress bar. */
export type ImportProgress = (fraction: number, phase: string) => Promise<void> | void;

/** The share of the work each step takes, measured on a 10,000-person file: people, assignments, welcomes, audit. */
const STEPS = { people: [0, 0.3], assignments: [0.3, 0.5], welcomes: [0.5, 0.8], audit: [0.8, 0.98] } as const;

/**
 * Applies the valid rows of a file in one transaction: creates, updates, then
 * managers created in the same file; assignments for everyone touched; one
 * welcome message per new person (their invitation link and everything due);
 * and the audit trail (one event per person, appended in bulk, and one
 * `people.imported` event with the counts). The plan is made again inside the
 * transaction, so it reflects the people as they are at that moment;
 * importing the same file twice changes nothing the second time.
 */
export async function applyImport(
  viewer: Viewer,
  context: AuditContext,
  text: string,
  now = new Date(),
): Promise<ImportResult> {
  assertMay(viewer, "administer", "Only compliance admins can import people.");
  return applyImportAs({ email: viewer.email, name: viewer.name }, context, text, now);
}

/** applyImport without the admin check, for the operators' command line and the import job's runner. */
export async function applyImportAs(
  actor: ImportActor,
  context: AuditContext,
  text: string,
  now = new Date(),
  options: {
    progress?: ImportProgress;
    db?: Db;
    /** The background job applying the file, named in the import's audit event. */
    jobId?: string;
    /** Runs last inside the transaction: the job runner marks its job applied there, so both commit or neither. */
    onCommit?: (tx: Tx) => Promise<void>;
  } = {},
): Promise<ImportResult> {
  const db = options.db ?? (await getDb());
  const report = async (step: keyof typeof STEPS, part: number, phase: string) => {
    const [from, to] = STEPS[step];
    await options.progress?.(from + (to - from) * Math.min(1, part), phase);
  };
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${IMPORT_LOCK})`);
    const current = await currentPeople(tx);
    const plan = planImport({ text, ...current, actorEmail: actor.email, maxRows: actor.maxRows });
    if (!plan.ok) throw new DomainError("invalid_import", plan.error);
    const creates = plan.rows.filter((r) => r.action === "create").map((r) => applyValues(null, r.values));
    const existing = new Map(current.people.map((p) => [normaliseEmail(p.email), p]));
    const updates = plan.rows
      .filter((r) => r.action === "update")
      .map((r) => ({ before: existing.get(r.values.email)!, values: r.values }));
    const ids = new Map([...existing].map(([email, p]) => [email, p.id]));
    const events: AuditEntry[] = [];
    const rowsToWrite = Math.max(1, creates.length + updates.length);
    let written = 0;

    // New people, with their manager when the manager already exists.
    // Nine values a row: chunked under the driver's bind-parameter limit.
    await writeInChunks(creates, 9, async (chunk) => {
      const inserted = await tx
        .insert(people)
        .values(
          chunk.map((p) => ({
            email: p.email,
            name: p.name,
            departmentId: p.departmentId,
            title: p.title,
            managerId: p.managerEmail ? (ids.get(p.managerEmail) ?? null) : null,
            hireDate: p.hireDate,
            roles: p.roles,
            createdAt: now,
            updatedAt: now,
          })),
        )
        .returning({ id: people.id, email: people.email });
      for (const row of inserted) ids.set(row.email, row.id);
      written += chunk.length;
      await report("people", written / rowsToWrite, "Adding people");
    });
    // A manager created by this same file got an id only now, and may come later in the file: linked in bulk, any row order.
    await linkManagers(
      tx,
      creates
        .filter((p) => p.managerEmail && !existing.has(p.managerEmail))
        .map((p) => ({ id: ids.get(p.email)!, managerId: ids.get(p.managerEmail!)! })),
    );
    for (const p of creates)
      events.push({
        action: "person.created",
        targetType: "person",
        targetId: ids.get(p.email)!,
        data: { ...p, source: "import" },
      });

    for (const { before, values } of updates) {
      const after = applyValues(before, values);
      await tx
        .update(people)
        .set({
          name: after.name,
          departmentId: after.departmentId,
          title: after.title,
          managerId: after.managerEmail ? ids.get(after.managerEmail)! : null,
          hireDate: after.hireDate,
          roles: after.roles,
          updatedAt: now,
        })
        .where(eq(people.id, before.id));
      events.push({
        action: "person.updated",
        targetType: "person",
        targetId: before.id,
        data: { changes: auditChanges({ ...before, email: after.email }, after), source: "import" },
      });
      written += 1;
      if (written % 500 === 0) await report("people", written / rowsToWrite, "Updating people");
    }

    // New people, and people with a new department or roles, may have courses to take now.
    await report("assignments", 0, "Assigning courses");
    const touched = [...creates.map((p) => ids.get(p.email)!), ...updates.map((u) => u.before.id)];
    if (touched.length > 0) await syncAssignments(tx, { personIds: touched, now });

    // One welcome per new person — the invitation and what is due — rendered when it is sent.
    await report("welcomes", 0, "Queuing welcome messages");
    await queueWelcomes(
      tx,
      creates.map((p) => ({
        id: ids.get(p.email)!,
        email: p.email,
        name: p.name,
        departmentId: p.departmentId,
        roles: p.roles,
      })),
      actor.name ?? null,
      now,
      (done) => report("welcomes", done / Math.max(1, creates.length), "Queuing welcome messages"),
    );

    await report("audit", 0, "Recording the audit trail");
    events.push({
      action: "people.imported",
      data: {
        ...plan.summary,
        created: creates.length,
        updated: updates.length,
        fileSha256: sha256Hex(text),
        ...(options.jobId ? { jobId: options.jobId } : {}),
      },
    });
    await recordAuditBatch(tx, context, events, now, (done) =>
      report("audit", done / events.length, "Recording the audit trail"),
    );
    await options.onCommit?.(tx);
    return { summary: plan.summary, created: creates.length, updated: updates.length };
  });
}
