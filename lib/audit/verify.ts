import "server-only";

import { asc, gt } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { auditEvents } from "@/db/schema";

import { eventHash, GENESIS_HASH, keyedEventHash } from "./canonical";
import { auditChainKeys } from "./chain-key";

export type BreakReason = "hash_mismatch" | "link_mismatch" | "unkeyed_after_keyed" | "unknown_key";

export type ChainVerdict =
  { ok: true; count: number } | { ok: false; count: number; brokenId: number; reason: BreakReason; keyId?: string };

/** A verified point of the chain: the event id, its hash, how many events up to it, whether keyed events have begun. */
export type ChainPosition = { id: number; hash: string; count: number; keyed: boolean };

export const CHAIN_START: ChainPosition = { id: 0, hash: GENESIS_HASH, count: 0, keyed: false };

type EventRow = typeof auditEvents.$inferSelect;

/**
 * What an event's hash must be, or why it cannot be checked. Once a keyed
 * event exists every later one must be keyed: anyone can compute the unkeyed
 * hash, so accepting it there would let an attacker append or rewrite freely.
 */
export function expectedEventHash(
  row: EventRow,
  keyed: boolean,
  keys = auditChainKeys().byId,
): { hash: string } | { reason: BreakReason; keyId?: string } {
  const fields = {
    at: row.at,
    actorId: row.actorId,
    actorLabel: row.actorLabel,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    ip: row.ip,
    userAgent: row.userAgent,
    data: row.data,
    prevHash: row.prevHash,
  };
  if (row.keyId === null) return keyed ? { reason: "unkeyed_after_keyed" } : { hash: eventHash(fields) };
  const key = keys.get(row.keyId);
  if (!key) return { reason: "unknown_key", keyId: row.keyId };
  return { hash: keyedEventHash(fields, row.keyId, key) };
}

/**
 * Recomputes every hash after `from` (the first event by default) in id
 * order and stops at the first event that does not fit. Returns the verdict
 * and the last verified position; `lastUnkeyedId` is the newest legacy event seen.
 */
export async function walkAuditChain(
  db: Executor,
  options: { from?: ChainPosition; batchSize?: number; onEvent?: (position: ChainPosition) => void } = {},
): Promise<{ verdict: ChainVerdict; head: ChainPosition; lastUnkeyedId: number | null }> {
  const keys = auditChainKeys().byId;
  const batchSize = options.batchSize ?? 2000;
  let head = options.from ?? CHAIN_START;
  let lastUnkeyedId: number | null = null;
  for (;;) {
    const rows = await db
      .select()
      .from(auditEvents)
      .where(gt(auditEvents.id, head.id))
      .orderBy(asc(auditEvents.id))
      .limit(batchSize);
    if (rows.length === 0) return { verdict: { ok: true, count: head.count }, head, lastUnkeyedId };
    for (const row of rows) {
      const broken = (reason: BreakReason, keyId?: string) => ({
        verdict: { ok: false as const, count: head.count, brokenId: row.id, reason, ...(keyId ? { keyId } : {}) },
        head,
        lastUnkeyedId,
      });
      if (row.prevHash !== head.hash) return broken("link_mismatch");
      const expected = expectedEventHash(row, head.keyed, keys);
      if ("reason" in expected) return broken(expected.reason, expected.keyId);
      if (expected.hash !== row.hash) return broken("hash_mismatch");
      if (row.keyId === null) lastUnkeyedId = row.id;
      head = { id: row.id, hash: row.hash, count: head.count + 1, keyed: row.keyId !== null };
      options.onEvent?.(head);
    }
  }
}

/** Recomputes every hash in id order and names the first event that does not fit. */
export async function verifyAuditChain(db: Executor, options: { batchSize?: number } = {}): Promise<ChainVerdict> {
  return (await walkAuditChain(db, options)).verdict;
}

export const eventsInWords = (n: number) => (n === 1 ? "1 event" : `${n.toLocaleString("en")} events`);

/** The verdict in words, naming the event. */
export function describeBreak(verdict: Extract<ChainVerdict, { ok: false }>): string {
  const what: Record<BreakReason, string> = {
    hash_mismatch: "its contents do not match its hash (edited, or re-hashed without the chain key)",
    link_mismatch: "it does not point at the event before it (an event was deleted or inserted)",
    unkeyed_after_keyed:
      "it carries no chain key although keyed events come before it (added or rewritten without the key)",
    unknown_key: `it was sealed with chain key ${verdict.keyId}, which is not configured (AUDIT_CHAIN_KEY / AUDIT_CHAIN_OLD_KEYS)`,
  };
  return `Audit event #${verdict.brokenId} breaks the chain: ${what[verdict.reason]}. ${eventsInWords(verdict.count)} before it verified.`;
}
