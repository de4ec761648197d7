import "server-only";

import { asc, count, desc, eq, gt, max, sql } from "drizzle-orm";

import type { Db, Executor } from "@/db/client";
import { auditCheckpoints, auditEvents } from "@/db/schema";
import { env } from "@/lib/env";
import { DomainError } from "@/lib/errors";
import { getSigningIdentity } from "@/lib/pdf/signing-identity";

import {
  CHECKPOINT_FORMAT,
  checkpointFileText,
  openCheckpoint,
  signCheckpoint,
  type CheckpointStatement,
} from "./checkpoint-file";
import { recordAudit, SYSTEM_ACTOR, type AuditContext } from "./record";
import {
  CHAIN_START,
  describeBreak,
  eventsInWords,
  expectedEventHash,
  walkAuditChain,
  type ChainPosition,
} from "./verify";

// Serialises checkpoint writers (not event writers): two workers never sign the same hour twice.
const AUDIT_CHECKPOINT_LOCK = 7_300_002;

export class AuditChainBrokenError extends DomainError {
  constructor(message: string) {
    super("audit_chain_broken", message, 409);
  }
}

/** The certificates a checkpoint may be signed by: this organisation's sealing certificate, and any the caller adds (a replaced one). */
export function trustedCertificates(extra: string[] = []): string[] {
  return [getSigningIdentity().certificatePem, ...extra];
}

/** The scheduled checkpoint's unique key: its UTC hour. */
export const hourSlot = (now: Date) => now.toISOString().slice(0, 13);

export const checkpointSummary = {
  id: auditCheckpoints.id,
  createdAt: auditCheckpoints.createdAt,
  trigger: auditCheckpoints.trigger,
  headId: auditCheckpoints.headId,
  headHash: auditCheckpoints.headHash,
  eventCount: auditCheckpoints.eventCount,
};
export type CheckpointSummary = {
  id: number;
  createdAt: Date;
  trigger: "scheduled" | "manual";
  headId: number;
  headHash: string;
  eventCount: number;
};

/**
 * Where a checkpoint puts the chain, once its head event is found with the
 * signed hash and contents that still produce it. A missing head means the
 * newest events were deleted; a different hash, that history was rewritten.
 */
export async function positionAt(
  db: Executor,
  statement: CheckpointStatement,
): Promise<{ ok: true; position: ChainPosition } | { ok: false; problem: string }> {
  const { headId, headHash, eventCount } = statement;
  if (headId === 0) return { ok: true, position: CHAIN_START };
  const [row] = await db.select().from(auditEvents).where(eq(auditEvents.id, headId)).limit(1);
  if (!row) {
    const [{ last, events }] = await db.select({ last: max(auditEvents.id), events: count() }).from(auditEvents);
    const end = last === null ? "the log is empty" : `the log now ends at #${last} with ${eventsInWords(events)}`;
    const first = Number(last) + 1;
    const range = first === headId ? `#${headId}` : `#${first} to #${headId}`;
    const gone =
      last !== null && Number(last) < headId
        ? ` ${eventsInWords(eventCount - events)} (${range}) ${eventCount - events === 1 ? "was" : "were"} deleted from the end.`
        : "";
    return {
      ok: false,
      problem: `Event #${headId}, the head of the checkpoint (${eventsInWords(eventCount)} through #${headId}), is missing: ${end}.${gone}`,
    };
  }
  const expected = expectedEventHash(row, false);
  if (row.hash !== headHash || !("hash" in expected) || expected.hash !== headHash) {
    return {
      ok: false,
      problem: `Event #${headId} no longer has the hash the checkpoint signed: the history up to it was changed.`,
    };
  }
  // Every checkpoint's head is keyed (see createAuditCheckpoint), so nothing unkeyed may follow it.
  return { ok: true, position: { id: headId, hash: headHash, count: eventCount, keyed: true } };
}

/**
 * Where to start verifying before signing: the newest checkpoint, when it
 * verifies and the log still matches it. A mismatch stops checkpointing: a
 * log that contradicts an earlier signed statement must not be signed again.
 */
async function lastCheckpointPosition(tx: Executor): Promise<ChainPosition> {
  const [last] = await tx
    .select({ id: auditCheckpoints.id, document: auditCheckpoints.document })
    .from(auditCheckpoints)
    .orderBy(desc(auditCheckpoints.id))
    .limit(1);
  if (!last) return CHAIN_START;
  const opened = openCheckpoint(last.document, trustedCertificates());
  // Signed by a certificate since replaced: verify the whole chain once instead of trusting it.
  if (!opened.ok && opened.code === "untrusted") return CHAIN_START;
  if (!opened.ok)
    throw new AuditChainBrokenError(
      `No checkpoint was made: checkpoint #${last.id} does not verify. ${opened.problem}`,
    );
  const at = await positionAt(tx, opened.statement);
  if (!at.ok)
    throw new AuditChainBrokenError(
      `No checkpoint was made: the log no longer matches checkpoint #${last.id}. ${at.problem}`,
    );
  return at.position;
}

/**
 * Verifies the chain since the last checkpoint and signs its head. A head
 * without a chain key (a log written before the chain was keyed, or an empty
 * one) first gets a keyed event, so every checkpoint's head is keyed. A person's
 * request is itself recorded, before signing, so the checkpoint covers it.
 * Scheduled checkpoints are once per UTC hour: the second worker finds the slot
 * taken and returns null.
 */
export async function createAuditCheckpoint(
  db: Db,
  options: { trigger: "scheduled" | "manual"; now?: Date; requestedBy?: AuditContext },
): Promise<CheckpointSummary | null> {
  const now = options.now ?? new Date();
  const slot = options.trigger === "scheduled" ? hourSlot(now) : null;
  const signer = getSigningIdentity();
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_CHECKPOINT_LOCK})`);
    if (
      slot &&
      (
        await tx
          .select({ id: auditCheckpoints.id })
          .from(auditCheckpoints)
          .where(eq(auditCheckpoints.slot, slot))
          .limit(1)
      ).length
    )
      return null;
    let walk = await walkAuditChain(tx, { from: await lastCheckpointPosition(tx) });
    if (walk.verdict.ok && (options.requestedBy || !walk.head.keyed)) {
      const action = options.requestedBy ? "audit.checkpoint_requested" : "audit.chain_keyed";
      await recordAudit(tx, options.requestedBy ?? SYSTEM_ACTOR, { action }, now);
      walk = await walkAuditChain(tx, { from: walk.head });
    }
    if (!walk.verdict.ok) throw new AuditChainBrokenError(`No checkpoint was made. ${describeBreak(walk.verdict)}`);
    const { head } = walk;
    const statement: CheckpointStatement = {
      format: CHECKPOINT_FORMAT,
      organisation: env().ORG_NAME,
      headId: head.id,
      headHash: head.hash,
      eventCount: head.count,
      createdAt: now.toISOString(),
      trigger: options.trigger,
    };
    const document = checkpointFileText(signCheckpoint(statement, signer));
    const [row] = await tx
      .insert(auditCheckpoints)
      .values({
        createdAt: now,
        trigger: options.trigger,
        slot,
        requestedBy: options.requestedBy?.actorId ?? null,
        headId: head.id,
        headHash: head.hash,
        eventCount: head.count,
        document,
      })
      .onConflictDoNothing()
      .returning(checkpointSummary);
    return row ?? null;
  });
}

/** The scheduler's step: this hour's checkpoint, unless it exists. */
export async function ensureHourlyCheckpoint(db: Db, now = new Date()): Promise<{ created: number | null }> {
  const row = await createAuditCheckpoint(db, { trigger: "scheduled", now });
  return { created: row?.id ?? null };
}

/** Checkpoints after `after`, oldest first, for systems that copy each one off the database. */
export async function checkpointsAfter(db: Executor, after: number, limit: number) {
  return db
    .select({ ...checkpointSummary, document: auditCheckpoints.document })
    .from(auditCheckpoints)
    .where(gt(auditCheckpoints.id, after))
    .orderBy(asc(auditCheckpoints.id))
    .limit(limit);
}
