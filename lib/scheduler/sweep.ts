import "server-only";

import { count, sql, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";

import type { Executor } from "@/db/client";
import { people, schedulerSweeps } from "@/db/schema";
import { env } from "@/lib/env";

/**
 * The scheduler's per-person work (assignments, reminders, access lapses)
 * reads every person's facts. Up to SCHEDULER_SWEEP_PEOPLE people a run does
 * all of them, as before; a larger organisation is split into slices of about
 * that many people by id, and each run claims the next slice, so a run's work
 * stays bounded and everyone is swept once every `slices` runs (at 100,000
 * people and the default 5,000: every 20 minutes with a worker ticking each
 * minute). Access decisions are made live whatever the sweep: a slice not
 * swept yet only delays a reminder or a lapse notice, never an answer.
 *
 * Slices are ranges of the random (v4) person ids, so they are even in size
 * and each is read through the person-id indexes. Two workers at once claim
 * different slices (one conditional upsert); a missed run leaves its slice to
 * the next rotation.
 */

export type Sweep = {
  slice: number;
  slices: number;
  /** Person ids in [from, to); null: open-ended. Both null: everyone. */
  from: string | null;
  to: string | null;
};

export const EVERYONE: Sweep = { slice: 0, slices: 1, from: null, to: null };

/** The first id of slice `i` of `slices`: the id space split evenly on its first 32 bits. */
export function sliceStart(i: number, slices: number): string {
  const prefix = Math.floor((i * 2 ** 32) / slices)
    .toString(16)
    .padStart(8, "0");
  return `${prefix}-0000-0000-0000-000000000000`;
}

export function sweepOf(slice: number, slices: number): Sweep {
  if (slices <= 1) return EVERYONE;
  return {
    slice,
    slices,
    from: slice === 0 ? null : sliceStart(slice, slices),
    to: slice === slices - 1 ? null : sliceStart(slice + 1, slices),
  };
}

/** Claims this run's slice: everyone when the organisation fits in one, otherwise the next slice in turn. */
export async function claimSweep(db: Executor, now: Date): Promise<Sweep> {
  const [{ n }] = await db.select({ n: count() }).from(people);
  const slices = Math.max(1, Math.ceil(Number(n) / env().SCHEDULER_SWEEP_PEOPLE));
  if (slices === 1) return EVERYONE;
  const [row] = await db
    .insert(schedulerSweeps)
    .values({ name: "people", nextSlice: 1 % slices, updatedAt: now })
    .onConflictDoUpdate({
      target: schedulerSweeps.name,
      set: { nextSlice: sql`(${schedulerSweeps.nextSlice} + 1) % ${slices}`, updatedAt: now },
    })
    .returning({ nextSlice: schedulerSweeps.nextSlice });
  return sweepOf((row.nextSlice - 1 + slices) % slices, slices);
}

/** The condition that keeps `column` (a person id) inside the sweep; undefined for everyone. */
export function inSweep(column: PgColumn, sweep: Sweep | undefined): SQL | undefined {
  if (!sweep || sweep.slices <= 1) return undefined;
  if (sweep.from && sweep.to) return sql`(${column} >= ${sweep.from}::uuid and ${column} < ${sweep.to}::uuid)`;
  if (sweep.from) return sql`${column} >= ${sweep.from}::uuid`;
  return sql`${column} < ${sweep.to}::uuid`;
}

/**
 * Whether this run is the first of its clock hour to claim `name`: steps whose
 * work is measured in days (the retention policy) run once an hour, not every
 * minute. One conditional upsert, so of two workers at once exactly one wins.
 */
export async function claimHour(db: Executor, name: string, now: Date): Promise<boolean> {
  const claimed = await db
    .insert(schedulerSweeps)
    .values({ name, nextSlice: 0, updatedAt: now })
    .onConflictDoUpdate({
      target: schedulerSweeps.name,
      set: { updatedAt: now },
      setWhere: sql`date_trunc('hour', ${schedulerSweeps.updatedAt}) <> date_trunc('hour', ${now.toISOString()}::timestamptz)`,
    })
    .returning({ name: schedulerSweeps.name });
  return claimed.length > 0;
}
