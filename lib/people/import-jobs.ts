import "server-only";

import { randomUUID } from "node:crypto";
import { createGunzip, gunzipSync, gzipSync } from "node:zlib";

import { and, desc, eq, inArray, sql } from "drizzle-orm";

import { getDb, type Db, type Executor, type Tx } from "@/db/client";
import { selectRows } from "@/db/rows";
import { importJobs, type ImportJobStatus } from "@/db/schema";
import type { AuditContext } from "@/lib/audit/record";
import { assertMay } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { sha256Hex } from "@/lib/crypto/hash";
import { DomainError, NotFoundError } from "@/lib/errors";
import { isUuid } from "@/lib/ids";
import { log } from "@/lib/log";
import { MINUTE } from "@/lib/time";

import { applyImportChunk, chunkEnd, finishImport, writes } from "./apply-import-chunk";
import { csvRecords } from "./csv-parse";
import { importErrorsCsv, problemValue } from "./import-errors-csv";
import { checkImport } from "./import-people";
import type { CheckedPlan } from "./import-planner";
import { decodeImportFile, IMPORT_MAX_ROWS_CLI, jobSizeError, type ImportSummary } from "./import-rules";

/** A whole organisation in one file: up to 100,000 rows, 50 MB. */
export const IMPORT_JOB_MAX_ROWS = IMPORT_MAX_ROWS_CLI;
/** Problems shown on the page; every one is in the CSV download. */
export const PROBLEMS_SHOWN = 50;
/** A runner refreshes its heartbeat this often; a job silent for STALE_AFTER_MS belongs to a runner that died. */
export const HEARTBEAT_MS = MINUTE / 12;
export const STALE_AFTER_MS = MINUTE;
/** A job that keeps killing its runner is given up after this many tries. */
export const MAX_ATTEMPTS = 3;

export type ProblemPreview = { row: number; column: string; value: string; message: string };

export type ImportJobView = {
  id: string;
  fileName: string;
  fileBytes: number;
  createdByLabel: string;
  status: ImportJobStatus;
  summary: ImportSummary | null;
  problemCount: number;
  problems: ProblemPreview[];
  result: { created: number; updated: number } | null;
  error: string | null;
  phase: string | null;
  rowsDone: number;
  rowsTotal: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
};

export type ImportJobStatusView = Pick<
  ImportJobView,
  "id" | "status" | "phase" | "rowsDone" | "rowsTotal" | "error" | "result"
> & {
  /** Estimated seconds until applying finishes, from the pace so far; null before there is a pace. */
  secondsLeft: number | null;
};

const gz = (text: string) => gzipSync(Buffer.from(text, "utf8")).toString("base64");
const gunz = (stored: string) => gunzipSync(Buffer.from(stored, "base64")).toString("utf8");

/**
 * Stores an uploaded file as a new import job, to be validated in the
 * background. The bytes must be UTF-8 CSV within the size limit; what the
 * rows say is checked by the runner.
 */
export async function createImportJob(
  viewer: Viewer,
  file: { name: string; bytes: Uint8Array },
  now = new Date(),
): Promise<{ id: string }> {
  assertMay(viewer, "administer", "Only compliance admins can import people.");
  const decoded = decodeImportFile(file.bytes, jobSizeError);
  if (!decoded.ok) throw new DomainError("invalid_file", decoded.error);
  const db = await getDb();
  const [row] = await db
    .insert(importJobs)
    .values({
      createdBy: viewer.id,
      createdByLabel: viewer.email,
      fileName: file.name.replace(/[\u0000-\u001f]/g, "").slice(0, 200) || "people.csv",
      fileBytes: file.bytes.byteLength,
      fileSha256: sha256Hex(decoded.text),
      fileGz: gz(decoded.text),
      status: "validating",
      createdAt: now,
    })
    .returning({ id: importJobs.id });
  return row;
}

const viewColumns = {
  id: importJobs.id,
  fileName: importJobs.fileName,
  fileBytes: importJobs.fileBytes,
  createdByLabel: importJobs.createdByLabel,
  status: importJobs.status,
  summary: importJobs.summary,
  problemCount: importJobs.problemCount,
  problems: importJobs.problemsPreview,
  result: importJobs.result,
  error: importJobs.error,
  phase: importJobs.phase,
  rowsDone: importJobs.rowsDone,
  rowsTotal: importJobs.rowsTotal,
  createdAt: importJobs.createdAt,
  startedAt: importJobs.startedAt,
  finishedAt: importJobs.finishedAt,
};

function jobId(id: string): string {
  if (!isUuid(id)) throw new NotFoundError("No such import.");
  return id;
}

/** One job as the page shows it: counts, the first problems, progress. Compliance admins only. */
export async function getImportJob(viewer: Viewer, id: string): Promise<ImportJobView> {
  assertMay(viewer, "administer", "Only compliance admins can import people.");
  const db = await getDb();
  const [row] = await db
    .select(viewColumns)
    .from(importJobs)
    .where(eq(importJobs.id, jobId(id)));
  if (!row) throw new NotFoundError("No such import.");
  return {
    ...row,
    summary: (row.summary as ImportSummary | null) ?? null,
    problems: (row.problems as ProblemPreview[] | null) ?? [],
    result: (row.result as ImportJobView["result"]) ?? null,
  };
}

/** The newest imports, for the import page. */
export async function listImportJobs(viewer: Viewer, limit = 10): Promise<ImportJobView[]> {
  assertMay(viewer, "administer", "Only compliance admins can import people.");
  const db = await getDb();
  const rows = await db.select(viewColumns).from(importJobs).orderBy(desc(importJobs.createdAt)).limit(limit);
  return rows.map((row) => ({
    ...row,
    summary: (row.summary as ImportSummary | null) ?? null,
    problems: [],
    result: (row.result as ImportJobView["result"]) ?? null,
  }));
}

/** What the progress bar polls: small, so it can be asked every second. */
export async function importJobStatus(viewer: Viewer, id: string, now = new Date()): Promise<ImportJobStatusView> {
  const job = await getImportJob(viewer, id);
  let secondsLeft: number | null = null;
  if (job.status === "applying" && job.startedAt && job.rowsDone > 0 && job.rowsTotal > 0) {
    const elapsed = (now.getTime() - job.startedAt.getTime()) / 1000;
    const fraction = Math.min(1, job.rowsDone / job.rowsTotal);
    secondsLeft = Math.max(1, Math.round((elapsed * (1 - fraction)) / fraction));
  }
  const { status, phase, rowsDone, rowsTotal, error, result } = job;
  return { id: job.id, status, phase, rowsDone, rowsTotal, error, result, secondsLeft };
}

/** Every problem of a validated file as CSV (row, column, value, message), formula cells neutralised. */
export async function importJobProblemsCsv(viewer: Viewer, id: string): Promise<{ fileName: string; csv: string }> {
  assertMay(viewer, "administer", "Only compliance admins can import people.");
  const db = await getDb();
  const [row] = await db
    .select({ fileName: importJobs.fileName, csv: importJobs.problemsCsvGz })
    .from(importJobs)
    .where(eq(importJobs.id, jobId(id)));
  if (!row || row.csv === null) throw new NotFoundError("This import has no problem list yet.");
  return { fileName: row.fileName, csv: gunz(row.csv) };
}

/**
 * Asks for a validated job to be applied. One statement moves it from
 * `ready` to `applying`, so however many clicks arrive at once, one wins and
 * the job runs once; a runner picks it up (now, or on the next scheduler run).
 */
export async function requestApply(viewer: Viewer, id: string, now = new Date()): Promise<void> {
  assertMay(viewer, "administer", "Only compliance admins can import people.");
  const db = await getDb();
  const [row] = await db
    .update(importJobs)
    .set({
      status: "applying",
      applyRequestedAt: now,
      heartbeatAt: null,
      claimToken: null,
      rowsDone: 0,
      attempts: 0,
      applyCursor: 0,
      appliedCreated: 0,
      appliedUpdated: 0,
    })
    .where(and(eq(importJobs.id, jobId(id)), eq(importJobs.status, "ready")))
    .returning({ id: importJobs.id });
  if (!row)
    throw new DomainError("not_ready", "This import is not waiting to be applied. Reload the page to see where it is.");
}

/** Cancels a job that has not started applying; a file being applied runs to its end, resuming after a restart. */
export async function cancelImportJob(viewer: Viewer, id: string, now = new Date()): Promise<void> {
  assertMay(viewer, "administer", "Only compliance admins can import people.");
  const db = await getDb();
  const [row] = await db
    .update(importJobs)
    .set({ status: "cancelled", finishedAt: now, fileGz: "", claimToken: null })
    .where(and(eq(importJobs.id, jobId(id)), inArray(importJobs.status, ["validating", "ready"])))
    .returning({ id: importJobs.id });
  if (!row) throw new DomainError("not_cancellable", "Only an import that has not started applying can be cancelled.");
}

// ---- The runner -------------------------------------------------------------------------------

type Claimed = {
  id: string;
  status: "validating" | "applying";
  claim_token: string;
  attempts: number;
  file_gz: string;
  apply_cursor: number;
  created_by: string | null;
  created_by_label: string;
};

/**
 * Takes the oldest job waiting for a runner — one not claimed yet, or whose
 * runner stopped sending heartbeats — and marks it ours. FOR UPDATE SKIP
 * LOCKED and the condition re-checked by the update make two runners racing
 * for one job end with one owner.
 */
export async function claimImportJob(db: Executor, now = new Date()): Promise<Claimed | null> {
  const stale = new Date(now.getTime() - STALE_AFTER_MS);
  const [row] = await selectRows<Claimed>(
    db,
    sql`update import_jobs set claim_token = ${randomUUID()}, heartbeat_at = ${now.toISOString()}::timestamptz,
               attempts = attempts + 1, started_at = ${now.toISOString()}::timestamptz
         where id = (select id from import_jobs
                      where status in ('validating', 'applying')
                        and (heartbeat_at is null or heartbeat_at < ${stale.toISOString()}::timestamptz)
                      order by created_at limit 1 for update skip locked)
     returning id, status, claim_token, attempts, file_gz, apply_cursor, created_by, created_by_label`,
  );
  return row ?? null;
}

export type RunReport = { validated: number; applied: number; failed: number };

export type RunOptions = {
  db?: Db;
  now?: () => Date;
  maxJobs?: number;
  /** Rows written per committed step (IMPORT_CHUNK_ROWS unless given). */
  chunkRows?: number;
  /**
   * Stops after this many committed steps as a killed process would: no
   * cleanup, the claim and a heartbeat that goes stale left behind. For the
   * tests that take over an abandoned job.
   */
  abandonAfterChunks?: number;
};

/**
 * Runs every import job waiting for a runner, one after another: validates
 * uploaded files and applies requested ones. Safe on several processes at
 * once. Called by the scheduler's tick, and right after an upload or an
 * "apply" so nobody waits for the next tick.
 */
export async function runImportJobs(options: RunOptions = {}): Promise<RunReport> {
  const db = options.db ?? (await getDb());
  const clock = options.now ?? (() => new Date());
  const report: RunReport = { validated: 0, applied: 0, failed: 0 };
  for (let n = 0; n < (options.maxJobs ?? 10); n++) {
    const job = await claimImportJob(db, clock());
    if (!job) break;
    const outcome = await runClaimed(db, job, clock, options);
    if (outcome === "abandoned") break;
    if (outcome !== "released") report[outcome]++;
  }
  return report;
}

const ours = (job: Claimed) => and(eq(importJobs.id, job.id), eq(importJobs.claimToken, job.claim_token));

/** The stored file as text pieces, gunzipped as it is read: never the whole text at once. */
async function* storedText(stored: string): AsyncGenerator<string> {
  const gunzip = createGunzip();
  gunzip.setEncoding("utf8");
  gunzip.end(Buffer.from(stored, "base64"));
  for await (const piece of gunzip) yield piece as string;
}

type Outcome = keyof RunReport | "released" | "abandoned";

async function runClaimed(db: Db, job: Claimed, clock: () => Date, options: RunOptions): Promise<Outcome> {
  // Heartbeats go through the pool, not a step's transaction; not awaited by the work.
  const beat = () =>
    db
      .update(importJobs)
      .set({ heartbeatAt: clock() })
      .where(and(ours(job), eq(importJobs.status, job.status)))
      .then(
        () => undefined,
        () => undefined,
      );
  const timer = setInterval(() => void beat(), HEARTBEAT_MS);
  timer.unref();
  let committed = false;
  try {
    if (job.attempts > MAX_ATTEMPTS) {
      await fail(db, job, await stoppedMessage(db, job), clock());
      return "failed";
    }
    const actor = { name: job.created_by_label, email: job.created_by_label, maxRows: IMPORT_JOB_MAX_ROWS };
    const plan = await checkImport(db, actor, csvRecords(storedText(job.file_gz)));
    if (!plan.ok) {
      await fail(db, job, plan.error, clock());
      return "failed";
    }
    if (job.status === "validating") return await finishValidating(db, job, plan, clock);
    committed = job.apply_cursor > 0;
    const outcome = await applyClaimed(db, job, plan, clock, options, () => (committed = true));
    return outcome;
  } catch (error) {
    if (error instanceof LostClaimError) return "failed";
    if (!(error instanceof DomainError)) log().error({ err: error, importJobId: job.id }, "import job failed");
    if (!committed) {
      const message =
        error instanceof DomainError
          ? `${error.message} Nothing was changed.`
          : "Applying the file failed and nothing was changed. Try again; if it fails again, ask your administrator to check the server log.";
      await fail(db, job, message, clock());
      return "failed";
    }
    // Some steps are in: the next runner resumes after them (MAX_ATTEMPTS bounds the retries).
    await db.update(importJobs).set({ heartbeatAt: null, claimToken: null }).where(ours(job));
    return "released";
  } finally {
    clearInterval(timer);
  }
}

async function finishValidating(
  db: Db,
  job: Claimed,
  plan: Extract<CheckedPlan, { ok: true }>,
  clock: () => Date,
): Promise<Outcome> {
  const problems: ProblemPreview[] = [];
  let count = 0;
  for (const row of plan.rows)
    for (const error of row.errors) {
      count++;
      if (problems.length < PROBLEMS_SHOWN)
        problems.push({
          row: error.row,
          column: error.column ?? "",
          value: problemValue(row.values, error.column),
          message: error.message,
        });
    }
  const [done] = await db
    .update(importJobs)
    .set({
      status: "ready",
      summary: plan.summary,
      problemCount: count,
      problemsPreview: problems,
      problemsCsvGz: gz(importErrorsCsv(plan)),
      rowsTotal: plan.summary.create + plan.summary.update,
      validatedAt: clock(),
      heartbeatAt: null,
      claimToken: null,
    })
    .where(and(ours(job), eq(importJobs.status, "validating")))
    .returning({ id: importJobs.id });
  return done ? "validated" : "failed";
}

/**
 * Applies a checked file in committed steps. Each step's transaction first
 * locks the job row and checks that the job is still ours and its cursor is
 * where this runner left it, writes its rows, then moves the cursor and the
 * counts: a step commits with its record of being done, or not at all. A
 * runner taking over a stale job starts after the last committed step; two
 * runners can never both apply one step.
 */
async function applyClaimed(
  db: Db,
  job: Claimed,
  plan: Extract<CheckedPlan, { ok: true }>,
  clock: () => Date,
  options: RunOptions,
  onCommit: () => void,
): Promise<Outcome> {
  const context: AuditContext = { actorId: job.created_by, actorLabel: job.created_by_label };
  const invitedByName = job.created_by_label;
  const lockJob = async (tx: Tx, cursor: number) => {
    const [row] = await selectRows<{ applied_created: number; applied_updated: number }>(
      tx,
      sql`select applied_created, applied_updated from import_jobs
           where id = ${job.id}::uuid and claim_token = ${job.claim_token}::uuid and status = 'applying'
             and apply_cursor = ${cursor} for update`,
    );
    // Another runner took the job over (our heartbeat went stale): roll back, it carries on.
    if (!row) throw new LostClaimError();
    return row;
  };
  let cursor = job.apply_cursor;
  let steps = 0;
  while (cursor < plan.rows.length) {
    const from = cursor;
    const end = chunkEnd(plan.rows, from, options.chunkRows);
    const rows = plan.rows.slice(from, end);
    await db.transaction(async (tx) => {
      await lockJob(tx, from);
      const done = await applyImportChunk(tx, rows, { context, invitedByName, now: clock() });
      await tx
        .update(importJobs)
        .set({
          applyCursor: end,
          rowsDone: sql`${importJobs.rowsDone} + ${rows.filter(writes).length}`,
          appliedCreated: sql`${importJobs.appliedCreated} + ${done.created}`,
          appliedUpdated: sql`${importJobs.appliedUpdated} + ${done.updated}`,
          phase: "Adding people",
          heartbeatAt: clock(),
        })
        .where(eq(importJobs.id, job.id));
    });
    onCommit();
    cursor = end;
    if (options.abandonAfterChunks !== undefined && ++steps >= options.abandonAfterChunks) return "abandoned";
  }
  const [summary] = await db
    .select({ summary: importJobs.summary, fileSha256: importJobs.fileSha256 })
    .from(importJobs)
    .where(eq(importJobs.id, job.id));
  await db.transaction(async (tx) => {
    const counts = await lockJob(tx, cursor);
    const result = { created: counts.applied_created, updated: counts.applied_updated };
    await finishImport(tx, plan.rows, {
      context,
      now: clock(),
      summary: (summary.summary as ImportSummary | null) ?? plan.summary,
      result,
      fileSha256: summary.fileSha256,
      jobId: job.id,
    });
    await tx
      .update(importJobs)
      .set({
        status: "applied",
        result,
        rowsDone: sql`${importJobs.rowsTotal}`,
        phase: null,
        finishedAt: clock(),
        heartbeatAt: clock(),
        claimToken: null,
      })
      .where(eq(importJobs.id, job.id));
  });
  return "applied";
}

class LostClaimError extends Error {}

/** Why a job that kept stopping was given up, and what of it is in place. */
async function stoppedMessage(db: Db, job: Claimed): Promise<string> {
  if (job.status === "validating" || job.apply_cursor === 0)
    return "The import stopped several times before it finished. Nothing was changed; upload the file again.";
  const [row] = await db
    .select({ created: importJobs.appliedCreated, updated: importJobs.appliedUpdated })
    .from(importJobs)
    .where(eq(importJobs.id, job.id));
  return `The import stopped several times before it finished. ${row.created.toLocaleString("en")} people were created and ${row.updated.toLocaleString("en")} updated, each recorded in the audit log; the rest of the file was not applied. Upload the same file again to apply the rest: rows already applied show as unchanged.`;
}

async function fail(db: Db, job: Claimed, message: string, now: Date) {
  await db
    .update(importJobs)
    .set({ status: "failed", error: message, finishedAt: now, heartbeatAt: now, claimToken: null, phase: null })
    .where(ours(job));
}
