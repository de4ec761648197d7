import "server-only";

import { desc, eq } from "drizzle-orm";

import { getDb } from "@/db/client";
import { auditCheckpoints } from "@/db/schema";
import type { Viewer } from "@/lib/auth/roles";

import { checkpointSummary, createAuditCheckpoint, type CheckpointSummary } from "./checkpoints";
import { checkAuditIntegrity, latestCheckpoint, type IntegrityReport } from "./integrity";
import { assertAuditReader } from "./list-events";
import type { AuditContext } from "./record";

/** Compliance admins and auditors: the integrity state, since the newest checkpoint or (`full`) from the first event. */
export async function auditIntegrity(viewer: Viewer, options: { full: boolean }): Promise<IntegrityReport> {
  assertAuditReader(viewer);
  const db = await getDb();
  return checkAuditIntegrity(db, { full: options.full, checkpoint: await latestCheckpoint(db) });
}

export async function listAuditCheckpoints(viewer: Viewer, limit = 5): Promise<CheckpointSummary[]> {
  assertAuditReader(viewer);
  const db = await getDb();
  return db.select(checkpointSummary).from(auditCheckpoints).orderBy(desc(auditCheckpoints.id)).limit(limit);
}

/** The checkpoint file exactly as signed and stored, or null. */
export async function auditCheckpointFile(
  viewer: Viewer,
  id: number,
): Promise<{ id: number; createdAt: Date; document: string } | null> {
  assertAuditReader(viewer);
  const db = await getDb();
  const [row] = await db
    .select({ id: auditCheckpoints.id, createdAt: auditCheckpoints.createdAt, document: auditCheckpoints.document })
    .from(auditCheckpoints)
    .where(eq(auditCheckpoints.id, id))
    .limit(1);
  return row ?? null;
}

/** A checkpoint now, on a person's request (recorded in the log it covers). */
export async function requestAuditCheckpoint(
  viewer: Viewer,
  audit: AuditContext,
  now = new Date(),
): Promise<CheckpointSummary> {
  assertAuditReader(viewer);
  const row = await createAuditCheckpoint(await getDb(), { trigger: "manual", now, requestedBy: audit });
  if (!row) throw new Error("A manual checkpoint has no slot and is always written");
  return row;
}
