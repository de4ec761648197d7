import "server-only";

import { readFileSync } from "node:fs";
import path from "node:path";

import { sql } from "drizzle-orm";
import { z } from "zod";

import { MIGRATIONS_FOLDER, type Db } from "@/db/client";

import { isDraining } from "./draining";

export type ReadinessChecks = {
  database: "ok" | "unavailable" | "timeout";
  migrations: "ok" | "pending" | "unknown";
  process: "ok" | "draining";
};

export type Readiness = { ready: boolean; checks: ReadinessChecks };

/** How long the database has to answer before this instance counts as not ready. */
export const READY_TIMEOUT_MS = 2_000;

const journal = z.object({ entries: z.array(z.object({ when: z.number().int(), tag: z.string() })).min(1) });

let latestMigration: { when: number; tag: string } | undefined;

/** The newest migration this build ships (db/migrations/meta/_journal.json, which drizzle's migrator follows). */
export function latestShippedMigration(folder = MIGRATIONS_FOLDER): { when: number; tag: string } {
  if (folder !== MIGRATIONS_FOLDER) return newest(folder);
  latestMigration ??= newest(folder);
  return latestMigration;
}

function newest(folder: string) {
  const { entries } = journal.parse(JSON.parse(readFileSync(path.join(folder, "meta", "_journal.json"), "utf8")));
  return entries.reduce((a, b) => (b.when > a.when ? b : a));
}

class Timeout extends Error {}

function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Timeout()), ms)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

const rowsOf = <T>(result: unknown): T[] => (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];

// drizzle's migrator records each applied migration with its journal time in drizzle.__drizzle_migrations.
async function migrationsApplied(db: Db, expected: number): Promise<ReadinessChecks["migrations"]> {
  try {
    const [row] = rowsOf<{ latest: string | number | null }>(
      await db.execute(sql`select max(created_at)::text as latest from drizzle.__drizzle_migrations`),
    );
    return row?.latest != null && Number(row.latest) >= expected ? "ok" : "pending";
  } catch (error) {
    const code =
      (error as { code?: string; cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
    // No migrations table (or schema) yet: nothing was ever applied.
    return code === "42P01" || code === "3F000" ? "pending" : "unknown";
  }
}

/**
 * Whether this instance should receive traffic: the database answers
 * `select 1` within the timeout, the newest shipped migration has been
 * applied, and the process is not shutting down.
 */
export async function checkReadiness(
  open: () => Promise<Db>,
  options: { timeoutMs?: number; migrationsFolder?: string } = {},
): Promise<Readiness> {
  const timeoutMs = options.timeoutMs ?? READY_TIMEOUT_MS;
  const checks: ReadinessChecks = {
    database: "unavailable",
    migrations: "unknown",
    process: isDraining() ? "draining" : "ok",
  };
  try {
    await within(
      (async () => {
        const db = await open();
        await db.execute(sql`select 1`);
        checks.database = "ok";
        checks.migrations = await migrationsApplied(db, latestShippedMigration(options.migrationsFolder).when);
      })(),
      timeoutMs,
    );
  } catch (error) {
    if (checks.database !== "ok") checks.database = error instanceof Timeout ? "timeout" : "unavailable";
  }
  const ready = checks.database === "ok" && checks.migrations === "ok" && checks.process === "ok";
  return { ready, checks: { ...checks } };
}
