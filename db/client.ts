import "server-only";

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

import type { ExtractTablesWithRelations, Logger } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";

import { env } from "@/lib/env";
import { applicationName } from "@/lib/instance";

import { resendingOnLostConnection } from "./lost-connection";
import * as schema from "./schema";

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Anything that runs queries: the database or a transaction inside it. */
export type Executor = Db | Tx;

type Handle = { db: Db; driver: "pglite" | "postgres"; close: () => Promise<void> };

/**
 * The handles openDatabase made, kept on globalThis like the database itself:
 * the server loads this module once per bundle (the routes', the decision
 * listener's), and every copy must recognise the one process-wide database.
 */
const registry = globalThis as unknown as {
  __clearancePools?: WeakSet<object>;
  __clearanceDatabases?: WeakSet<object>;
};

/** Pools opened by openDatabase on PostgreSQL: only these can run statements side by side (see db/snapshot.ts). */
const pooled = (registry.__clearancePools ??= new WeakSet<object>());

/** Whether `db` is a PostgreSQL pool (not a transaction, not PGlite's one connection). */
export function isPool(db: Executor): db is Db {
  return pooled.has(db);
}

/** Handles opened by openDatabase, on either driver. */
const opened = (registry.__clearanceDatabases ??= new WeakSet<object>());

/**
 * Whether `db` is a database as opened (not a transaction inside it): what it
 * reads is committed, so it may be kept beyond the statement that read it.
 */
export function isDatabase(db: Executor): db is Db {
  return opened.has(db);
}

/** Counts a handle made outside openDatabase (a test's PGlite loaded from a snapshot) as a database as opened. */
export function adoptDatabase(db: Db): Db {
  opened.add(db);
  return db;
}

const globalForDb = globalThis as unknown as { __clearanceDb?: Promise<Handle> };

export const MIGRATIONS_FOLDER = path.join(process.cwd(), "db", "migrations");

/** The most connections postgres.js opens per process (db_pool_max on /metrics). */
export const POSTGRES_POOL_MAX = 10;

/**
 * Settings of every connection the app opens. JIT compilation is off: the
 * app's statements run in milliseconds, and PostgreSQL starts compiling one
 * (~80 ms here) once its cost estimate passes jit_above_cost, which the
 * access check's shared read of a thousand people's facts reaches near
 * 10,000 people. Every check in that read would wait for the compiler.
 * The reports' grouped statements were measured no faster with it.
 */
export const POSTGRES_SESSION_SETTINGS = { jit: "off" } as const;

export class DatabaseLockedError extends Error {}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * PGlite has no cross-process locking, so a second process on the same
 * directory would corrupt it. A lock file with the owner's pid refuses that.
 */
export function acquirePgliteLock(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const lockFile = path.join(dir, "clearance.lock");
  if (existsSync(lockFile)) {
    const pid = Number(readFileSync(lockFile, "utf8").trim());
    if (pid && pid !== process.pid && pidAlive(pid)) {
      throw new DatabaseLockedError(
        `The embedded database in ${dir} is in use by process ${pid}. Stop that process first, or set DATABASE_URL to use PostgreSQL.`,
      );
    }
  }
  writeFileSync(lockFile, String(process.pid));
  const release = () => {
    try {
      if (existsSync(lockFile) && readFileSync(lockFile, "utf8").trim() === String(process.pid)) rmSync(lockFile);
    } catch {
      /* best effort on exit */
    }
  };
  process.once("exit", release);
  return release;
}

/** `logger` sees every statement and its parameters (the reports benchmark replays them); never set in the app. */
export async function openDatabase(options: { url?: string; pgliteDir?: string; logger?: Logger }): Promise<Handle> {
  const logger = options.logger ?? false;
  if (options.url) {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const client = postgres(options.url, {
      max: POSTGRES_POOL_MAX,
      onnotice: () => {},
      connection: { application_name: applicationName(), ...POSTGRES_SESSION_SETTINGS },
    });
    const db = drizzle(resendingOnLostConnection(client), { schema, logger }) as unknown as Db;
    pooled.add(db);
    opened.add(db);
    return { db, driver: "postgres", close: () => client.end({ timeout: 5 }) };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const dir = options.pgliteDir;
  const release = dir ? acquirePgliteLock(dir) : () => {};
  const client = dir ? new PGlite(dir) : new PGlite();
  await client.waitReady;
  const db = drizzle(client, { schema, logger }) as unknown as Db;
  opened.add(db);
  return {
    db,
    driver: "pglite",
    close: async () => {
      await client.close();
      release();
    },
  };
}

export async function migrateDatabase(handle: Handle): Promise<void> {
  if (handle.driver === "postgres") {
    const { migrate } = await import("drizzle-orm/postgres-js/migrator");
    await migrate(handle.db as never, { migrationsFolder: MIGRATIONS_FOLDER });
  } else {
    const { migrate } = await import("drizzle-orm/pglite/migrator");
    await migrate(handle.db as never, { migrationsFolder: MIGRATIONS_FOLDER });
  }
}

/** The process-wide database, opened on first use (never at import or build). */
export function getHandle(): Promise<Handle> {
  globalForDb.__clearanceDb ??= (async () => {
    const { DATABASE_URL, dataDir } = env();
    return openDatabase(DATABASE_URL ? { url: DATABASE_URL } : { pgliteDir: path.join(dataDir, "pglite") });
  })();
  return globalForDb.__clearanceDb;
}

export async function getDb(): Promise<Db> {
  return (await getHandle()).db;
}

/** Integration tests install their own database here. */
export function setDatabaseForTests(handle: Handle | undefined): void {
  globalForDb.__clearanceDb = handle ? Promise.resolve(handle) : undefined;
}

export async function closeDatabase(): Promise<void> {
  const pending = globalForDb.__clearanceDb;
  globalForDb.__clearanceDb = undefined;
  if (pending) await (await pending).close();
}
