import "server-only";

import { createHash } from "node:crypto";

import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";

import { getDb, type Db, type Executor } from "@/db/client";
import { departments, evidencePackParts, evidencePacks, type EvidencePackStatus } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import { assertMay } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { decryptBytes, encryptBytes } from "@/lib/crypto/encryption";
import { DomainError, FieldError, NotFoundError } from "@/lib/errors";
import { isUuid } from "@/lib/ids";
import { claimJob, keepBeating } from "@/lib/jobs/claim";
import { log } from "@/lib/log";
import { isCalendarDay, MINUTE } from "@/lib/time";

import { writeEvidencePack } from "./pack";

/** A runner refreshes its heartbeat this often; a pack silent for STALE_AFTER_MS belongs to a runner that died. */
export const HEARTBEAT_MS = MINUTE / 12;
export const STALE_AFTER_MS = MINUTE;
/** A pack that keeps killing its runner is given up after this many tries. */
export const MAX_ATTEMPTS = 3;
/** The longest period one pack covers: a little over five years. */
export const MAX_PERIOD_DAYS = 5 * 366;

const READERS = "Only auditors and compliance admins can make evidence packs.";

export type EvidencePackView = {
  id: string;
  createdByLabel: string;
  periodFrom: string;
  periodTo: string;
  departmentId: string | null;
  departmentName: string | null;
  overdueDays: number;
  status: EvidencePackStatus;
  phase: string | null;
  rowsDone: number;
  rowsTotal: number;
  error: string | null;
  zipBytes: number | null;
  zipSha256: string | null;
  createdAt: Date;
  finishedAt: Date | null;
};

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date like 2026-01-31.")
  .refine((v) => isCalendarDay(v, { from: 2000, to: 9999 }), "Not a date in the calendar.");

/** What a person asks for: the form, the command line and the tests read it the same way. */
export const packRequestSchema = z
  .object({
    from: day,
    to: day,
    department: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z
        .string()
        .regex(/^[a-z0-9-]{1,80}$/, "Choose a department from the list.")
        .optional(),
    ),
    overdueDays: z.coerce.number().int().min(0, "At least 0 days.").max(3650, "At most 3650 days.").default(30),
  })
  .superRefine((v, ctx) => {
    if (v.from > v.to) ctx.addIssue({ code: "custom", path: ["to"], message: "The period ends before it starts." });
    else if ((Date.parse(v.to) - Date.parse(v.from)) / 86_400_000 > MAX_PERIOD_DAYS)
      ctx.addIssue({ code: "custom", path: ["to"], message: "A pack covers at most five years." });
  });
export type PackRequestInput = z.input<typeof packRequestSchema>;

const viewColumns = {
  id: evidencePacks.id,
  createdByLabel: evidencePacks.createdByLabel,
  periodFrom: evidencePacks.periodFrom,
  periodTo: evidencePacks.periodTo,
  departmentId: evidencePacks.departmentId,
  departmentName: departments.name,
  overdueDays: evidencePacks.overdueDays,
  status: evidencePacks.status,
  phase: evidencePacks.phase,
  rowsDone: evidencePacks.rowsDone,
  rowsTotal: evidencePacks.rowsTotal,
  error: evidencePacks.error,
  zipBytes: evidencePacks.zipBytes,
  zipSha256: evidencePacks.zipSha256,
  createdAt: evidencePacks.createdAt,
  finishedAt: evidencePacks.finishedAt,
};

const packId = (id: string) => {
  if (!isUuid(id)) throw new NotFoundError("No such evidence pack.");
  return id;
};

/**
 * Queues a pack for the period and scope. One statement decides: the same
 * person asking again for the same pack while it is queued or running gets
 * that job back (a unique index over pending packs), so thirty clicks make
 * one pack. Audited once, when the job is created.
 */
export async function requestEvidencePack(
  viewer: Viewer,
  audit: AuditContext,
  input: PackRequestInput,
  now = new Date(),
): Promise<{ id: string; created: boolean }> {
  assertMay(viewer, "oversee", READERS);
  const parsed = packRequestSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FieldError(String(issue.path[0] ?? "from"), "invalid_request", issue.message);
  }
  const { from, to, department, overdueDays } = parsed.data;
  const db = await getDb();
  if (department) {
    const [known] = await db.select({ id: departments.id }).from(departments).where(eq(departments.id, department));
    if (!known) throw new FieldError("department", "unknown_department", "Choose a department from the list.");
  }
  const values = {
    createdBy: viewer.id,
    createdByLabel: viewer.email,
    periodFrom: from,
    periodTo: to,
    departmentId: department ?? null,
    overdueDays,
    createdAt: now,
  };
  const [created] = await db
    .insert(evidencePacks)
    .values(values)
    .onConflictDoNothing()
    .returning({ id: evidencePacks.id });
  if (created) {
    await recordAudit(db, audit, {
      action: "evidence.requested",
      targetType: "evidence_pack",
      targetId: created.id,
      data: { from, to, department: department ?? null, overdueDays },
    });
    return { id: created.id, created: true };
  }
  const [pending] = await db
    .select({ id: evidencePacks.id })
    .from(evidencePacks)
    .where(
      and(
        eq(evidencePacks.createdBy, viewer.id),
        eq(evidencePacks.periodFrom, from),
        eq(evidencePacks.periodTo, to),
        sql`coalesce(${evidencePacks.departmentId}, '') = ${department ?? ""}`,
        eq(evidencePacks.overdueDays, overdueDays),
        inArray(evidencePacks.status, ["queued", "running"]),
      ),
    );
  // The pending one finished between the two statements: ask again for a new one.
  if (!pending) return requestEvidencePack(viewer, audit, input, now);
  return { id: pending.id, created: false };
}

/** The newest packs, for the page (everyone who may make packs sees every pack). */
export async function listEvidencePacks(viewer: Viewer, limit = 20): Promise<EvidencePackView[]> {
  assertMay(viewer, "oversee", READERS);
  const db = await getDb();
  return db
    .select(viewColumns)
    .from(evidencePacks)
    .leftJoin(departments, eq(departments.id, evidencePacks.departmentId))
    .orderBy(desc(evidencePacks.createdAt))
    .limit(limit);
}

export type EvidencePackStatusView = Pick<
  EvidencePackView,
  "id" | "status" | "phase" | "rowsDone" | "rowsTotal" | "error" | "zipBytes" | "zipSha256"
>;

/** What the progress bar polls. */
export async function evidencePackStatus(viewer: Viewer, id: string): Promise<EvidencePackStatusView> {
  assertMay(viewer, "oversee", READERS);
  const db = await getDb();
  const [row] = await db
    .select({
      id: evidencePacks.id,
      status: evidencePacks.status,
      phase: evidencePacks.phase,
      rowsDone: evidencePacks.rowsDone,
      rowsTotal: evidencePacks.rowsTotal,
      error: evidencePacks.error,
      zipBytes: evidencePacks.zipBytes,
      zipSha256: evidencePacks.zipSha256,
    })
    .from(evidencePacks)
    .where(eq(evidencePacks.id, packId(id)));
  if (!row) throw new NotFoundError("No such evidence pack.");
  return row;
}

/** The finished ZIP, decrypted, and the download audited. */
export async function downloadEvidencePack(
  viewer: Viewer,
  audit: AuditContext,
  id: string,
): Promise<{ filename: string; bytes: Buffer }> {
  assertMay(viewer, "oversee", READERS);
  const db = await getDb();
  const [row] = await db
    .select({
      id: evidencePacks.id,
      periodFrom: evidencePacks.periodFrom,
      periodTo: evidencePacks.periodTo,
      departmentId: evidencePacks.departmentId,
      zipEnc: evidencePacks.zipEnc,
      zipSha256: evidencePacks.zipSha256,
    })
    .from(evidencePacks)
    .where(and(eq(evidencePacks.id, packId(id)), eq(evidencePacks.status, "ready")));
  if (!row) throw new NotFoundError("This evidence pack is not ready.");
  const bytes = await storedPackBytes(db, row);
  await recordAudit(db, audit, {
    action: "evidence.downloaded",
    targetType: "evidence_pack",
    targetId: row.id,
    data: { sha256: row.zipSha256 ?? "" },
  });
  const scope = row.departmentId ? `-${row.departmentId}` : "";
  return { filename: `evidence-${row.periodFrom}-to-${row.periodTo}${scope}.zip`, bytes };
}

// ---- The runner -------------------------------------------------------------------------------

type Claimed = {
  id: string;
  claim_token: string;
  attempts: number;
  created_by: string | null;
  created_by_label: string;
  period_from: string;
  period_to: string;
  department_id: string | null;
  overdue_days: number;
};

export function claimEvidencePack(db: Db, now = new Date()): Promise<Claimed | null> {
  return claimJob<Claimed>(
    db,
    {
      table: "evidence_packs",
      waiting: ["queued", "running"],
      running: "running",
      staleAfterMs: STALE_AFTER_MS,
      returning:
        "id, claim_token, attempts, created_by, created_by_label, period_from, period_to, department_id, overdue_days",
    },
    now,
  );
}

export type PackRunReport = { generated: number; failed: number };

/**
 * Makes every queued pack, one after another; safe on several processes at
 * once. Called by the scheduler's tick, and right after a request so nobody
 * waits for the next tick.
 */
export async function runEvidencePacks(
  options: { db?: Db; now?: () => Date; maxJobs?: number } = {},
): Promise<PackRunReport> {
  const db = options.db ?? (await getDb());
  const clock = options.now ?? (() => new Date());
  const report: PackRunReport = { generated: 0, failed: 0 };
  for (let n = 0; n < (options.maxJobs ?? 5); n++) {
    const job = await claimEvidencePack(db, clock());
    if (!job) break;
    report[(await runClaimed(db, job, clock)) ? "generated" : "failed"]++;
  }
  return report;
}

const ours = (job: Claimed) => and(eq(evidencePacks.id, job.id), eq(evidencePacks.claimToken, job.claim_token));

async function runClaimed(db: Db, job: Claimed, clock: () => Date): Promise<boolean> {
  let progress: { rowsDone?: number; rowsTotal?: number; phase?: string } = {};
  const beat = () =>
    db
      .update(evidencePacks)
      .set({ heartbeatAt: clock(), ...progress })
      .where(and(ours(job), eq(evidencePacks.status, "running")));
  const stop = keepBeating(beat, HEARTBEAT_MS);
  const context: AuditContext = { actorId: job.created_by, actorLabel: job.created_by_label };
  try {
    if (job.attempts > MAX_ATTEMPTS) {
      await fail(db, job, "Making the pack stopped several times before it finished. Ask for it again.", clock());
      return false;
    }
    // The ZIP is hashed and stored in encrypted parts as it is written, so no process holds it whole.
    await db.delete(evidencePackParts).where(eq(evidencePackParts.packId, job.id));
    const parts = partWriter(db, job);
    const generatedAt = clock();
    const { files } = await writeEvidencePack(
      db,
      {
        id: job.id,
        periodFrom: job.period_from,
        periodTo: job.period_to,
        departmentId: job.department_id,
        overdueDays: job.overdue_days,
        generatedBy: { id: job.created_by, label: job.created_by_label },
        generatedAt,
      },
      (chunk) => parts.write(chunk),
      async (rowsDone, rowsTotal, phase) => {
        progress = { rowsDone, rowsTotal, phase };
        await beat();
      },
    );
    const { bytes: zipBytes, sha256 } = await parts.finish();
    const [mine] = await db
      .update(evidencePacks)
      .set({
        status: "ready",
        zipEnc: null,
        zipBytes,
        zipSha256: sha256,
        phase: null,
        finishedAt: clock(),
        heartbeatAt: clock(),
        claimToken: null,
      })
      .where(and(ours(job), eq(evidencePacks.status, "running")))
      .returning({ id: evidencePacks.id });
    if (!mine) return false;
    await recordAudit(db, context, {
      action: "evidence.generated",
      targetType: "evidence_pack",
      targetId: job.id,
      data: {
        from: job.period_from,
        to: job.period_to,
        department: job.department_id,
        overdueDays: job.overdue_days,
        files: files.length + 2,
        bytes: zipBytes,
        sha256,
      },
    });
    return true;
  } catch (error) {
    const message =
      error instanceof DomainError
        ? error.message
        : "Making the pack failed. Try again; if it fails again, ask your administrator to check the server log.";
    if (!(error instanceof DomainError)) log().error({ err: error, packId: job.id }, "evidence pack failed");
    await fail(db, job, message, clock());
    return false;
  } finally {
    stop();
  }
}

/** Plaintext per stored part. */
export const PART_BYTES = 4 * 2 ** 20;

export const packPartContext = (packId: string, seq: number) => `evidence-pack:${packId}:part:${seq}`;

/**
 * Gathers the ZIP as it is written into parts of PART_BYTES, each encrypted
 * and stored at once, while hashing the whole. A part is stored only while
 * this runner still holds the job (its claim token), so a runner that lost
 * the job to another stops at its next part instead of mixing two packs.
 */
function partWriter(db: Db, job: Claimed) {
  const hash = createHash("sha256");
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let bytes = 0;
  let seq = 0;
  const store = async () => {
    const plain = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    const dataEnc = encryptBytes(plain, packPartContext(job.id, seq));
    const stored = await db.execute(sql`insert into evidence_pack_parts (pack_id, seq, data_enc)
      select ${job.id}::uuid, ${seq}, ${dataEnc} where exists (select 1 from evidence_packs
        where id = ${job.id}::uuid and claim_token = ${job.claim_token}::uuid and status = 'running')
      returning seq`);
    const rows = Array.isArray(stored) ? stored : (stored as { rows: unknown[] }).rows;
    if (rows.length !== 1) throw new DomainError("pack_taken_over", "Another runner took this pack over.");
    seq++;
  };
  return {
    async write(chunk: Buffer) {
      hash.update(chunk);
      bytes += chunk.length;
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= PART_BYTES) await store();
    },
    async finish() {
      if (pendingBytes > 0 || seq === 0) await store();
      return { bytes, sha256: hash.digest("hex"), parts: seq };
    },
  };
}

/** A pack's ZIP from its parts (or, for a pack made before parts, its single value), checked against its SHA-256. */
export async function storedPackBytes(
  db: Executor,
  pack: { id: string; zipEnc: string | null; zipSha256: string | null },
): Promise<Buffer> {
  let bytes: Buffer;
  if (pack.zipEnc) bytes = decryptBytes(pack.zipEnc, `evidence-pack:${pack.id}`);
  else {
    const parts = await db
      .select({ seq: evidencePackParts.seq, dataEnc: evidencePackParts.dataEnc })
      .from(evidencePackParts)
      .where(eq(evidencePackParts.packId, pack.id))
      .orderBy(asc(evidencePackParts.seq));
    bytes = Buffer.concat(
      parts.map((p, i) => {
        if (p.seq !== i) throw new Error(`Evidence pack ${pack.id} is missing part ${i}`);
        return decryptBytes(p.dataEnc, packPartContext(pack.id, p.seq));
      }),
    );
  }
  if (pack.zipSha256 && createHash("sha256").update(bytes).digest("hex") !== pack.zipSha256)
    throw new Error(`Evidence pack ${pack.id} does not match its recorded SHA-256`);
  return bytes;
}

async function fail(db: Db, job: Claimed, message: string, now: Date) {
  await db
    .update(evidencePacks)
    .set({ status: "failed", error: message, finishedAt: now, heartbeatAt: now, claimToken: null, phase: null })
    .where(ours(job));
}
