import "server-only";

import { sql } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { selectRows } from "@/db/rows";
import { log } from "@/lib/log";

import { contentRevision, serveOwnContent } from "./index";

/**
 * The organisation's published content, and keeping each process's copy of it
 * current. Publications only ever add rows, so their count and latest time
 * name a revision; a process reloads when the revision it serves is not the
 * database's.
 */

export async function publishedRevision(db: Executor): Promise<string> {
  const [row] = await selectRows<{ n: number | string; at: string | Date | null }>(
    db,
    sql`select count(*) as n, max(published_at) as at from content_versions where state = 'published'`,
  );
  const n = Number(row?.n ?? 0);
  return n === 0 ? "shipped" : `${n}@${new Date(row!.at!).toISOString()}`;
}

/** The latest published files of every own item, paths relative to content/. */
export async function publishedFiles(db: Executor): Promise<Map<string, string>> {
  const rows = await selectRows<{ files: Record<string, string> }>(
    db,
    sql`select distinct on (kind, item_id) files from content_versions
        where state = 'published' order by kind, item_id, published_at desc, created_at desc`,
  );
  const own = new Map<string, string>();
  for (const row of rows) for (const [rel, text] of Object.entries(row.files)) own.set(rel, text);
  return own;
}

/** Loads the organisation's published content if this process serves an older revision. Returns whether it reloaded. */
export async function refreshContent(db: Executor): Promise<boolean> {
  const revision = await publishedRevision(db);
  if (revision === contentRevision()) return false;
  const files = revision === "shipped" ? new Map<string, string>() : await publishedFiles(db);
  // Two reloads may finish out of order: never replace what is served with an older revision.
  if (publicationCount(revision) < publicationCount(contentRevision())) return false;
  serveOwnContent(revision, files);
  return true;
}

/** How many publications a content revision counts ("shipped": none). */
export function publicationCount(revision: string): number {
  return revision === "shipped" ? 0 : Number(revision.split("@")[0]);
}

const timers = globalThis as unknown as { __clearanceContentTimer?: NodeJS.Timeout };

/**
 * Checks for new publications every `seconds` (one indexed count), so every
 * instance serves a publication within that window; the instance that
 * published reloads at once.
 */
export function startContentRefresh(getDb: () => Promise<Executor>, seconds: number): void {
  if (timers.__clearanceContentTimer || seconds <= 0) return;
  let running = false;
  timers.__clearanceContentTimer = setInterval(() => {
    if (running) return;
    running = true;
    getDb()
      .then((db) => refreshContent(db))
      .then((reloaded) => reloaded && log().info({ revision: contentRevision() }, "content reloaded"))
      .catch((error: unknown) => log().warn({ error: error instanceof Error ? error.message : "unknown" }, "content refresh failed"))
      .finally(() => (running = false));
  }, seconds * 1000);
  timers.__clearanceContentTimer.unref();
}

export function stopContentRefresh(): void {
  clearInterval(timers.__clearanceContentTimer);
  timers.__clearanceContentTimer = undefined;
}
