import "server-only";

import { sql } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { selectRows, toDate } from "@/db/rows";

/**
 * The access change stream (GET /api/v1/access/changes): grant events as
 * Server-Sent Events, for gateways that keep a local copy of who holds what.
 * Each event's id is its audit-log id, so a client that reconnects with
 * `Last-Event-ID` resumes exactly after the last event it saw: the audit log is
 * appended under one lock held to commit, so ids become visible in order and
 * none is skipped. A `revision` event announces every new access revision,
 * including changes that are not grant events (a certification, a signature,
 * a suspension): a copy should be refreshed, or cached answers dropped, then.
 */

export const CHANGE_ACTIONS = [
  "access.granted",
  "access.effective",
  "access.revoked",
  "access.lapsed",
  "access.restored",
] as const;

export type AccessChange = {
  id: number;
  type: (typeof CHANGE_ACTIONS)[number];
  at: string;
  person_id: string;
  role_id: string;
  /** For access.granted: the requirements still unmet (it takes effect with access.effective once they are). */
  pending?: string[];
  ends_at?: string | null;
  reasons?: string[];
};

type Row = { id: string | number; at: string | Date; action: AccessChange["type"]; data: Record<string, unknown> };

/** The newest audit id: where a stream without Last-Event-ID starts (only what happens from now). */
export async function latestChangeId(db: Executor): Promise<number> {
  const [row] = await selectRows<{ id: string | number | null }>(db, sql`select max(id) as id from audit_events`);
  return Number(row?.id ?? 0);
}

/** Grant events after audit id `after`, oldest first, at most `limit`. */
export async function changesAfter(db: Executor, after: number, limit = 500): Promise<AccessChange[]> {
  const rows = await selectRows<Row>(
    db,
    sql`select id, at, action, data from audit_events
        where id > ${after} and action = any(${sql.param([...CHANGE_ACTIONS])}::text[])
        order by id limit ${limit}`,
  );
  return rows.map((r) => {
    const d = r.data;
    return {
      id: Number(r.id),
      type: r.action,
      at: toDate(r.at).toISOString(),
      person_id: String(d.personId),
      role_id: String(d.roleId),
      ...(Array.isArray(d.pending) && d.pending.length ? { pending: d.pending.map(String) } : {}),
      ...("endsAt" in d ? { ends_at: (d.endsAt as string | null) ?? null } : {}),
      ...(Array.isArray(d.reasons) ? { reasons: d.reasons.map(String) } : {}),
    };
  });
}

export async function currentRevision(db: Executor): Promise<number> {
  const [row] = await selectRows<{ revision: string | number }>(db, sql`select revision from access_revision`);
  return Number(row?.revision ?? 0);
}

/** One Server-Sent Event. Data is one line of JSON, so no field can break the framing. */
export function sseEvent(event: string, data: unknown, id?: number): string {
  return `${id !== undefined ? `id: ${id}\n` : ""}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export type StreamOptions = {
  after: number;
  pollMs?: number;
  heartbeatMs?: number;
  /** The stream ends after this long; clients reconnect with Last-Event-ID (EventSource does by itself). */
  maxMs?: number;
  signal?: AbortSignal;
};

/** The stream's text, event by event, until maxMs passes or the client goes away. */
export async function* accessChangeStream(
  db: Executor,
  { after, pollMs = 1_000, heartbeatMs = 15_000, maxMs = 5 * 60_000, signal }: StreamOptions,
): AsyncGenerator<string> {
  const started = Date.now();
  let last = after;
  let revision = await currentRevision(db);
  let quietSince = Date.now();
  yield `retry: 2000\n${sseEvent("revision", { revision })}`;
  while (!signal?.aborted && Date.now() - started < maxMs) {
    const changes = await changesAfter(db, last);
    const now = await currentRevision(db);
    for (const change of changes) {
      yield sseEvent(change.type, { ...change, revision: now }, change.id);
      last = change.id;
    }
    const moved = now !== revision;
    if (moved) {
      revision = now;
      yield sseEvent("revision", { revision });
    }
    if (changes.length || moved) quietSince = Date.now();
    else if (Date.now() - quietSince >= heartbeatMs) {
      quietSince = Date.now();
      yield ": keep-alive\n\n";
    }
    if (changes.length < 500) await sleep(pollMs, signal);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
}
