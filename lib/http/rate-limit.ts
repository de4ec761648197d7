import "server-only";

import { sql } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { rateLimits } from "@/db/schema";

export type RateVerdict = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

function windowOf(now: Date, windowSeconds: number) {
  const windowMs = windowSeconds * 1000;
  const start = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  return { start, retryAfterSeconds: Math.max(1, Math.ceil((start.getTime() + windowMs - now.getTime()) / 1000)) };
}

/** Adds `by` to the shared counter of `key` for the window and returns the new total. */
async function addToWindow(db: Executor, key: string, windowStart: Date, by: number): Promise<number> {
  const [row] = await db
    .insert(rateLimits)
    .values({ key, windowStart, count: by })
    .onConflictDoUpdate({
      target: [rateLimits.key, rateLimits.windowStart],
      set: { count: sql`${rateLimits.count} + ${by}` },
    })
    .returning({ count: rateLimits.count });
  return row.count;
}

/**
 * A fixed-window counter in the database, so every app instance shares it.
 * One statement per call: increment and read back. For sign-in, codes and
 * other low-rate endpoints where every attempt must count at once.
 */
export async function hitRateLimit(
  db: Executor,
  key: string,
  limit: number,
  windowSeconds: number,
  now = new Date(),
): Promise<RateVerdict> {
  const window = windowOf(now, windowSeconds);
  const count = await addToWindow(db, key, window.start, 1);
  if (count <= limit) return { allowed: true, remaining: limit - count };
  return { allowed: false, retryAfterSeconds: window.retryAfterSeconds };
}

/** The most of a window's quota an instance takes from the database at once: a tenth of the limit, at least 1. */
export const leaseSize = (limit: number) => Math.max(1, Math.floor(limit / 10));

/**
 * Takes `want` of the window's quota from the shared counter, all or
 * nothing, in one statement: the row's lock makes two instances' claims
 * take turns, and the condition keeps the total at or under the limit.
 * Returns the new total, or null when `want` no longer fits.
 */
async function claimQuota(
  db: Executor,
  key: string,
  windowStart: Date,
  want: number,
  limit: number,
): Promise<number | null> {
  const [row] = await db
    .insert(rateLimits)
    .values({ key, windowStart, count: want })
    .onConflictDoUpdate({
      target: [rateLimits.key, rateLimits.windowStart],
      set: { count: sql`${rateLimits.count} + ${want}` },
      setWhere: sql`${rateLimits.count} + ${want} <= ${limit}`,
    })
    .returning({ count: rateLimits.count });
  return row ? row.count : null;
}

/** What an instance holds of a key's current window: the quota it took and has not used yet. */
export type LocalWindow = {
  start: number;
  /** Quota taken from the database and not used yet. */
  left: number;
  /** The shared total after this instance's last claim. */
  total: number;
  /** The database said nothing more fits this window. */
  full: boolean;
  claim: Promise<void> | null;
};
// Shared by every bundle in the process (route handlers and Server Actions are bundled apart).
const processState = globalThis as unknown as { __clearanceRateWindows?: Map<string, LocalWindow> };
const processWindows = (processState.__clearanceRateWindows ??= new Map());

async function claim(db: Executor, key: string, w: LocalWindow, limit: number): Promise<void> {
  // Smaller claims as the window fills, so quota an instance holds unused stays small near the limit.
  let want = Math.max(1, Math.min(leaseSize(limit), Math.floor((limit - w.total) / 4)));
  for (;;) {
    const total = await claimQuota(db, key, new Date(w.start), want, limit);
    if (total !== null) {
      w.left += want;
      w.total = total;
      return;
    }
    if (want === 1) {
      w.full = true;
      return;
    }
    want = 1;
  }
}

/**
 * The same shared fixed window for high-rate callers (API tokens), without
 * a database write per request: an instance takes a lease of the window's
 * quota (a tenth of the limit, smaller as the window fills) with one
 * conditional statement, answers from it in memory, and takes another when
 * it is used up; requests that arrive meanwhile wait for that one claim. The
 * shared total never passes the limit, however many instances ask at once,
 * and a refused request takes nothing. What other instances hold unused when
 * the window fills (at most a lease each, a few requests near the limit) can
 * refuse a request early. `windows` is the instance's memory (the process's
 * by default).
 */
export async function hitSharedRateLimit(
  db: Executor,
  key: string,
  limit: number,
  windowSeconds: number,
  now = new Date(),
  windows: Map<string, LocalWindow> = processWindows,
): Promise<RateVerdict> {
  const window = windowOf(now, windowSeconds);
  let w = windows.get(key);
  if (!w || w.start !== window.start.getTime()) {
    if (w && w.start > window.start.getTime()) return hitRateLimit(db, key, limit, windowSeconds, now);
    w = { start: window.start.getTime(), left: 0, total: 0, full: false, claim: null };
    windows.set(key, w);
  }
  while (w.left === 0 && !w.full) {
    w.claim ??= claim(db, key, w, limit).finally(() => (w.claim = null));
    await w.claim;
  }
  if (w.left === 0) return { allowed: false, retryAfterSeconds: window.retryAfterSeconds };
  w.left -= 1;
  return { allowed: true, remaining: Math.max(0, limit - w.total + w.left) };
}
