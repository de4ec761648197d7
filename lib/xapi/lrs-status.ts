import "server-only";

import { desc, eq, isNotNull, sql } from "drizzle-orm";

import { getDb } from "@/db/client";
import { xapiStatements } from "@/db/schema";
import { assertMay } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { env } from "@/lib/env";

export type LrsStatus = {
  /** The LRS's origin (scheme, host and port), or null when none is configured. */
  endpoint: string | null;
  actor: "account" | "mbox";
  counts: { sent: number; waiting: number; failed: number };
  /** The latest statements the LRS did not take, newest first. */
  problems: { id: string; verb: string; status: string; attempts: number; lastError: string; nextAttemptAt: Date }[];
};

/** What a compliance admin sees of the learning record store: where statements go, and how sending them fares. */
export async function lrsStatus(viewer: Viewer): Promise<LrsStatus> {
  assertMay(viewer, "administer");
  const settings = env();
  const db = await getDb();
  const [countRows, problems] = await Promise.all([
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
    endpoint: settings.XAPI_LRS_URL ? new URL(settings.XAPI_LRS_URL).origin : null,
    actor: settings.XAPI_ACTOR,
    counts: { sent: count("sent"), waiting: count("queued") + count("sending"), failed: count("failed") },
    problems: problems.map((p) => ({ ...p, lastError: p.lastError ?? "" })),
  };
}
