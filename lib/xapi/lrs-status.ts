import "server-only";

import { desc, eq, isNotNull, sql } from "drizzle-orm";

import { getDb } from "@/db/client";
import { lrsSettings, people, xapiStatements } from "@/db/schema";
import { assertMay } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";

import { lrsConfig, type LrsSource } from "./lrs-config";

/** The endpoint as a page shows it: scheme, host, port and path, never a query (which may carry a token). */
export const endpointForDisplay = (endpoint: string) => {
  const url = new URL(endpoint);
  return `${url.origin}${url.pathname}`;
};

export type LrsStatus = {
  /** The LRS's endpoint (without a query), or null when none is configured. */
  endpoint: string | null;
  /** Who set it: the deployment (read-only here) or an admin in this page. */
  source: LrsSource | null;
  /** Whether a key is set; the secret never reaches a page. */
  hasKey: boolean;
  /** The key of a store an admin connected, to edit it; the deployment's key is not shown. */
  username: string | null;
  secretUnreadable: boolean;
  /** Who connected it, and when (admin-set stores only). */
  updatedAt: Date | null;
  updatedByName: string | null;
  actor: "account" | "mbox";
  counts: { sent: number; waiting: number; failed: number };
  /** The latest statements the LRS did not take, newest first. */
  problems: { id: string; verb: string; status: string; attempts: number; lastError: string; nextAttemptAt: Date }[];
};

/** What a compliance admin sees of the learning record store: where statements go, and how sending them fares. */
export async function lrsStatus(viewer: Viewer): Promise<LrsStatus> {
  assertMay(viewer, "administer");
  const db = await getDb();
  const [config, [row], countRows, problems] = await Promise.all([
    lrsConfig(db, { fresh: true }),
    db
      .select({ updatedAt: lrsSettings.updatedAt, name: people.name })
      .from(lrsSettings)
      .leftJoin(people, eq(people.id, lrsSettings.updatedBy))
      .where(eq(lrsSettings.id, 1)),
    db
      .select({ status: xapiStatements.status, n: sql<number>`count(*)::int` })
      .from(xapiStatements)
      .groupBy(xapiStatements.status),
    db
      .select({
        id: xapiStatements.id,
        verb: xapiStatements.verb,
        status: xapiStatements.status,
        attempts: xapiStatements.attempts,
        lastError: xapiStatements.lastError,
        nextAttemptAt: xapiStatements.nextAttemptAt,
      })
      .from(xapiStatements)
      .where(isNotNull(xapiStatements.lastError))
      .orderBy(desc(eq(xapiStatements.status, "failed")), desc(xapiStatements.nextAttemptAt))
      .limit(10),
  ]);
  const count = (status: string) => countRows.find((r) => r.status === status)?.n ?? 0;
  return {
    endpoint: config ? endpointForDisplay(config.endpoint) : null,
    source: config?.source ?? null,
    hasKey: Boolean(config?.username),
    username: config?.source === "admin" ? config.username : null,
    secretUnreadable: config?.secretUnreadable ?? false,
    updatedAt: config?.source === "admin" ? (row?.updatedAt ?? null) : null,
    updatedByName: config?.source === "admin" ? (row?.name ?? null) : null,
    actor: config?.actor ?? "account",
    counts: { sent: count("sent"), waiting: count("queued") + count("sending"), failed: count("failed") },
    problems: problems.map((p) => ({ ...p, lastError: p.lastError ?? "" })),
  };
}
