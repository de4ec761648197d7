import "server-only";

import { eq, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";

import { getDb, type Db, type Executor } from "@/db/client";
import { departments, people } from "@/db/schema";
import type { AuditContext } from "@/lib/audit/record";
import { assertMay } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { sha256Hex } from "@/lib/crypto/hash";
import { DomainError } from "@/lib/errors";
import { yieldToRequests } from "@/lib/event-loop";

import { applyImportChunk, chunkEnd, finishImport, IMPORT_LOCK } from "./apply-import-chunk";
import { CsvError, parseCsv, type CsvRecord } from "./csv-parse";
import { ImportPlanner, planImport, type CheckedPlan } from "./import-planner";
import type { ExistingPerson, ImportPlan, ImportSummary } from "./import-rules";

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

/**
 * Checks a file read as a stream of records against the people who exist
 * now: each row kept as its few values and its action, never the whole text.
 */
export async function checkImport(
  db: Executor,
  actor: ImportActor,
  records: AsyncIterable<CsvRecord> | Iterable<CsvRecord>,
): Promise<CheckedPlan> {
  const current = await currentPeople(db);
  const planner = new ImportPlanner({ ...current, actorEmail: actor.email, maxRows: actor.maxRows });
  try {
    let n = 0;
    for await (const record of records) {
      if (!planner.add(record)) break;
      // Validating is CPU work: let the process answer its other requests every thousand rows.
      if (++n % 1_000 === 0) await yieldToRequests();
    }
  } catch (error) {
    if (error instanceof CsvError) return { ok: false, error: error.message };
    throw error;
  }
  return planner.finish();
}

export type ImportResult = { summary: ImportSummary; created: number; updated: number };

/**
 * Applies the valid rows of a file in one transaction, step by step (see
 * applyImportChunk): creates and updates, managers created in the same file,
 * assignments for everyone touched, one welcome message per new person, one
 * audit event per person and one `people.imported` event with the counts.
 * The plan is made inside the transaction, so it reflects the people as they
 * are at that moment; importing the same file twice changes nothing the
 * second time. A whole organisation's file goes through an import job
 * instead (import-jobs.ts), which commits each step.
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

/** applyImport without the admin check, for the operators' command line. */
export async function applyImportAs(
  actor: ImportActor,
  context: AuditContext,
  text: string,
  now = new Date(),
  options: { db?: Db } = {},
): Promise<ImportResult> {
  const db = options.db ?? (await getDb());
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${IMPORT_LOCK})`);
    const parsed = parseCsv(text);
    if (!parsed.ok) throw new DomainError("invalid_import", parsed.error);
    const plan = await checkImport(tx, actor, parsed.records);
    if (!plan.ok) throw new DomainError("invalid_import", plan.error);
    const result = { created: 0, updated: 0 };
    for (let at = 0; at < plan.rows.length;) {
      const end = chunkEnd(plan.rows, at);
      const done = await applyImportChunk(tx, plan.rows.slice(at, end), {
        context,
        invitedByName: actor.name ?? null,
        now,
      });
      result.created += done.created;
      result.updated += done.updated;
      at = end;
    }
    await finishImport(tx, plan.rows, { context, now, summary: plan.summary, result, fileSha256: sha256Hex(text) });
    return { summary: plan.summary, ...result };
  });
}
