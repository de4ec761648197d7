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

/** How long an instance may count on its own before adding its share to the database. */
export const SHARED_COUNT_INTERVAL_MS = 1000;

type LocalWindow = {
  start: number;
  shared: number;
  unsent: number;
  sending: number;
  lastSentAt: number;
  send: Promise<void> | null;
};
// Shared by every bundle in the process (route handlers and Server Actions are bundled apart).
const processState = globalThis as unknown as { __clearanceRateWindows?: Map<string, LocalWindow> };
const windows = (processState.__clearanceRateWindows ??= new Map());

function sendCount(db: Executor, key: string, w: LocalWindow): Promise<void> {
  w.sending = w.unsent;
  w.unsent = 0;
  w.send = addToWindow(db, key, new Date(w.start), w.sending)
    .then((total) => {
      w.shared = Math.max(w.shared, total);
      w.lastSentAt = Date.now();
    })
    .catch((error) => {
      // Not lost: counted again with the next send.
      w.unsent += w.sending;
      throw error;
    })
    .finally(() => {
      w.sending = 0;
      w.send = null;
    });
  return w.send;
}

/**
 * The same shared fixed window for high-rate callers (API tokens): each
 * instance counts in memory and adds its count to the database row at most
 * every SHARED_COUNT_INTERVAL_MS, reading back the total of all instances.
 * The first request of a window and every request in the last tenth of the
 * limit wait for the database, so the limit holds exactly on one instance;
 * across instances it may be exceeded by what they accept in one interval.
 */
export async function hitSharedRateLimit(
  db: Executor,
  key: string,
  limit: number,
  windowSeconds: number,
  now = new Date(),
): Promise<RateVerdict> {
  const window = windowOf(now, windowSeconds);
  let w = windows.get(key);
  if (!w || w.start !== window.start.getTime()) {
    if (w && w.start > window.start.getTime()) return hitRateLimit(db, key, limit, windowSeconds, now);
    w = { start: window.start.getTime(), shared: 0, unsent: 0, sending: 0, lastSentAt: 0, send: null };
    windows.set(key, w);
  }
  const counted = () => w.shared + w.sending + w.unsent;
  if (counted() >= limit) return { allowed: false, retryAfterSeconds: window.retryAfterSeconds };
  w.unsent += 1;
  const nearLimit = limit - counted() < Math.max(1, limit / 10);
  if (w.lastSentAt === 0 || nearLimit) {
    // Exact: wait for any send in flight, then send this one and read the total.
    while (w.send) await w.send.catch(() => {});
    await sendCount(db, key, w);
    if (w.shared > limit) return { allowed: false, retryAfterSeconds: window.retryAfterSeconds };
  } else if (!w.send && Date.now() - w.lastSentAt >= SHARED_COUNT_INTERVAL_MS) {
    sendCount(db, key, w).catch(() => {
      /* retried with the next send */
    });
  }
  return { allowed: true, remaining: Math.max(0, limit - counted()) };
}
