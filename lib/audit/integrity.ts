import "server-only";

import { desc } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { auditCheckpoints } from "@/db/schema";

import { openCheckpoint, type CheckpointStatement } from "./checkpoint-file";
import { positionAt, trustedCertificates } from "./checkpoints";
import { CHAIN_START, describeBreak, eventsInWords, walkAuditChain, type ChainPosition } from "./verify";

/** The checkpoint a check is made against: opened, or why it could not be. `id` when it came from the database. */
export type CheckpointUnderTest = { id?: number; statement: CheckpointStatement } | { id?: number; problem: string };

export type IntegrityReport = {
  ok: boolean;
  /** "full": every event from the first; "since_checkpoint": the checkpoint's head and every event after it. */
  scope: "full" | "since_checkpoint";
  /** Events in the log as verified (up to the first break). */
  events: number;
  checkpoint: ({ id?: number } & CheckpointStatement) | null;
  /** Each in words, naming the events concerned. */
  problems: string[];
};

/** The newest checkpoint in the database, opened against the trusted certificates. */
export async function latestCheckpoint(
  db: Executor,
  trusted = trustedCertificates(),
): Promise<CheckpointUnderTest | null> {
  const [row] = await db
    .select({ id: auditCheckpoints.id, document: auditCheckpoints.document })
    .from(auditCheckpoints)
    .orderBy(desc(auditCheckpoints.id))
    .limit(1);
  if (!row) return null;
  const opened = openCheckpoint(row.document, trusted);
  return opened.ok
    ? { id: row.id, statement: opened.statement }
    : { id: row.id, problem: `Checkpoint #${row.id}: ${opened.problem}` };
}

/**
 * Checks the log against a signed checkpoint: the chain verifies (from the
 * first event when `full`, else from the checkpoint's head), the event at
 * the head still has the signed hash, the number of events through it is the
 * signed count, and every event after it chains on from it with the chain key.
 * A full check also refuses unkeyed (legacy) events that no checkpoint covers:
 * without one, anyone with database access could have rewritten them.
 */
export async function checkAuditIntegrity(
  db: Executor,
  options: { full: boolean; checkpoint: CheckpointUnderTest | null },
): Promise<IntegrityReport> {
  const problems: string[] = [];
  const given = options.checkpoint;
  if (given && "problem" in given) problems.push(given.problem);
  const statement = given && "statement" in given ? given.statement : null;
  const checkpoint = statement ? { ...(given?.id ? { id: given.id } : {}), ...statement } : null;

  const at = statement ? await positionAt(db, statement) : null;
  if (at && !at.ok) problems.push(at.problem);

  if (!options.full && at?.ok) {
    const walk = await walkAuditChain(db, { from: at.position });
    if (!walk.verdict.ok) problems.push(describeBreak(walk.verdict));
    return { ok: problems.length === 0, scope: "since_checkpoint", events: walk.verdict.count, checkpoint, problems };
  }

  const seen: { head?: ChainPosition } = {};
  const onEvent = (position: ChainPosition) => {
    if (position.id === statement?.headId) seen.head = position;
  };
  const walk = await walkAuditChain(db, { from: CHAIN_START, onEvent });
  if (!walk.verdict.ok) problems.push(describeBreak(walk.verdict));
  const { head } = seen;
  if (statement && head && head.count !== statement.eventCount) {
    const difference = head.count - statement.eventCount;
    problems.push(
      `The checkpoint counts ${eventsInWords(statement.eventCount)} through #${statement.headId}; the log holds ${head.count}: ${eventsInWords(Math.abs(difference))} before the head ${Math.abs(difference) === 1 ? "was" : "were"} ${difference < 0 ? "deleted" : "added"}.`,
    );
  }
  const coveredThrough = statement && at?.ok ? statement.headId : 0;
  if (walk.lastUnkeyedId !== null && walk.lastUnkeyedId > coveredThrough) {
    problems.push(
      `Events up to #${walk.lastUnkeyedId} carry no chain key and no signed checkpoint covers them, so anyone with database access could have rewritten them.`,
    );
  }
  return { ok: problems.length === 0, scope: "full", events: walk.verdict.count, checkpoint, problems };
}

/** A full check against a checkpoint file kept outside the database; a file that does not verify is refused before the log is read. */
export async function checkAgainstCheckpointFile(
  db: Executor,
  text: string,
  trusted = trustedCertificates(),
): Promise<IntegrityReport> {
  const opened = openCheckpoint(text, trusted);
  if (!opened.ok)
    return { ok: false, scope: "full", events: 0, checkpoint: null, problems: [`Refused: ${opened.problem}`] };
  return checkAuditIntegrity(db, { full: true, checkpoint: { statement: opened.statement } });
}
