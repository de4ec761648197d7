import "server-only";

import { desc, sql } from "drizzle-orm";
import { z } from "zod";

import { writeInChunks } from "@/db/chunks";
import type { Executor, Tx } from "@/db/client";
import { auditEvents } from "@/db/schema";

import { auditEntrySchema, type AuditEntry } from "./actions";
import { GENESIS_HASH, keyedEventHash } from "./canonical";
import { auditChainKeys } from "./chain-key";

/** Who did it and from where; `null` actor for the system or an anonymous visitor. */
export type AuditContext = {
  actorId: string | null;
  actorLabel: string;
  ip?: string | null;
  userAgent?: string | null;
};

export type { AuditEntry } from "./actions";

export const SYSTEM_ACTOR: AuditContext = { actorId: null, actorLabel: "system" };

// Any constant works; it only has to be the same for every writer.
const AUDIT_CHAIN_LOCK = 7_300_001;

/** An entry whose action is not in the catalogue (lib/audit/actions.ts) or whose data has another shape. */
export class InvalidAuditEntryError extends Error {
  constructor(action: unknown, detail: string) {
    super(`Audit event ${JSON.stringify(action)} does not match the catalogue: ${detail}`);
    this.name = "InvalidAuditEntryError";
  }
}

/**
 * Appends one event. Call it with the transaction that makes the change so both
 * commit or neither does. The advisory lock serialises appenders, so the chain
 * never forks however many run at once. The entry is checked against the
 * catalogue first, and what is stored is the entry as given.
 */
export async function recordAudit(
  tx: Executor,
  context: AuditContext,
  entry: AuditEntry,
  now = new Date(),
): Promise<void> {
  const checked = auditEntrySchema.safeParse(entry);
  if (!checked.success) throw new InvalidAuditEntryError(entry.action, z.prettifyError(checked.error));
  // The lock below is held to the end of a transaction: called outside one, the append makes its own, or two could fork the chain.
  // (A transaction has rollback(); instanceof would fail where the bundler loads two copies of the driver.)
  if (!("rollback" in tx)) return tx.transaction((inner) => recordAudit(inner, context, entry, now));
  const { current } = auditChainKeys();
  await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`);
  const [last] = await tx.select({ hash: auditEvents.hash }).from(auditEvents).orderBy(desc(auditEvents.id)).limit(1);
  const at = new Date(Math.floor(now.getTime()));
  const fields = {
    at,
    actorId: context.actorId,
    actorLabel: context.actorLabel,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    ip: context.ip ?? null,
    userAgent: context.userAgent ? context.userAgent.slice(0, 512) : null,
    data: entry.data ?? {},
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  await tx
    .insert(auditEvents)
    .values({ ...fields, keyId: current.id, hash: keyedEventHash(fields, current.id, current.key) });
}

/**
 * Appends many events at once, in order, under one hold of the chain's lock:
 * one read of the last hash and multi-row inserts, instead of one lock, read
 * and insert per event. For bulk changes (an import of a whole organisation),
 * in the transaction that makes them. `onChunk` hears how many are written.
 */
export async function recordAuditBatch(
  tx: Tx,
  context: AuditContext,
  entries: AuditEntry[],
  now = new Date(),
  onChunk?: (done: number) => Promise<void> | void,
): Promise<void> {
  if (entries.length === 0) return;
  for (const entry of entries) {
    const checked = auditEntrySchema.safeParse(entry);
    if (!checked.success) throw new InvalidAuditEntryError(entry.action, z.prettifyError(checked.error));
  }
  const { current } = auditChainKeys();
  await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`);
  const [last] = await tx.select({ hash: auditEvents.hash }).from(auditEvents).orderBy(desc(auditEvents.id)).limit(1);
  const at = new Date(Math.floor(now.getTime()));
  let prevHash = last?.hash ?? GENESIS_HASH;
  const rows = entries.map((entry) => {
    const fields = {
      at,
      actorId: context.actorId,
      actorLabel: context.actorLabel,
      action: entry.action,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      ip: context.ip ?? null,
      userAgent: context.userAgent ? context.userAgent.slice(0, 512) : null,
      data: entry.data ?? {},
      prevHash,
    };
    const hash = keyedEventHash(fields, current.id, current.key);
    prevHash = hash;
    return { ...fields, keyId: current.id, hash };
  });
  let done = 0;
  // Twelve values a row; the serial id keeps the insertion order, which is the chain's order.
  await writeInChunks(rows, 12, async (chunk) => {
    await tx.insert(auditEvents).values(chunk);
    done += chunk.length;
    await onChunk?.(done);
  });
}
