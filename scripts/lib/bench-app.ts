import { spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import postgres from "postgres";

import { migrateDatabase, openDatabase } from "@/db/client";
import { childProcessEnv } from "@/lib/env";

import { freePort, startProcess, stopProcess, waitForHttp } from "./bench-load";
import { benchSettings } from "./bench-settings";

/**
 * What every benchmark needs around it: a throwaway PostgreSQL database with
 * the schema, and the production build started against it. Both are removed
 * when the benchmark ends, whatever happens.
 */

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

export type BenchDatabase = { url: string; name: string; host: string; serverVersion: string };
/** `decisionOrigin`: the decision listener (ACCESS_API_PORT) of the same process. */
export type BenchApp = { origin: string; decisionOrigin: string; secret: string; process: ChildProcess };

export const benchLog = (line: string) => console.log(`[bench] ${line}`);

/** Exits with the benchmark's status once it settles; a failure becomes one line and status 1. */
export function exitWhenDone(run: Promise<number>): void {
  run.then(
    (code) => process.exit(code),
    (error) => {
      console.error(`[bench] failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}

/** The machine the figures come from, for the JSON reports. */
export function machineFacts(loadAtStart: number, serverVersion: string) {
  return {
    loadAverage1m: { atStart: +loadAtStart.toFixed(2), atEnd: +os.loadavg()[0].toFixed(2) },
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    postgres: serverVersion,
  };
}

/** Builds the app unless a production build is already there. */
export function ensureProductionBuild(): void {
  if (existsSync(".next/BUILD_ID")) return;
  benchLog("no production build (.next/BUILD_ID): running next build…");
  const build = spawnSync("npx", ["next", "build"], {
    stdio: "inherit",
    env: childProcessEnv({ NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" }),
  });
  if (build.status !== 0) throw new Error("next build failed");
}

/**
 * Runs `body` with a fresh, migrated database on the local PostgreSQL server
 * named by `adminUrl`, then drops it. Refuses a remote server: the benchmark
 * creates and drops databases.
 */
export async function withBenchDatabase<T>(
  adminUrl: string,
  prefix: string,
  body: (database: BenchDatabase) => Promise<T>,
): Promise<T> {
  const host = new URL(adminUrl).hostname;
  if (!LOCAL_HOSTS.has(host)) {
    throw new Error(
      `BENCH_DATABASE_URL must point at a local PostgreSQL server (localhost/127.0.0.1): the bench creates and drops a database. Got ${host}.`,
    );
  }
  const name = `${prefix}_${Date.now()}`;
  const url = Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
    benchLog(`created database ${name} on ${host}`);
    const handle = await openDatabase({ url });
    await migrateDatabase(handle);
    await handle.close();
    const serverVersion = (await admin`show server_version`)[0].server_version as string;
    return await body({ url, name, host, serverVersion });
  } finally {
    await admin
      .unsafe(`drop database if exists ${name} with (force)`)
      .catch((e) => console.error(`[bench] could not drop ${name}: ${e.message}`));
    await admin.end({ timeout: 5 });
  }
}

export type BenchRun = { started: number; loadAtStart: number };

/**
 * A benchmark's frame: builds the app if needed, runs `body` with a fresh
 * database on BENCH_DATABASE_URL's server, and turns any failure into a
 * message and exit status 1.
 */
export async function runBenchmark(
  prefix: string,
  body: (database: BenchDatabase, run: BenchRun) => Promise<number>,
): Promise<number> {
  const run = { started: Date.now(), loadAtStart: os.loadavg()[0] };
  try {
    ensureProductionBuild();
    return await withBenchDatabase(benchSettings().BENCH_DATABASE_URL, prefix, (database) => body(database, run));
  } catch (error) {
    console.error(`[bench] failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

export type BenchAppOptions = {
  /** Listen here instead of on a free port (an instance restarted behind a proxy keeps its address). */
  port?: number;
  /** Settings on top of the bench's own: several instances share their secrets, DATA_DIR and NEXTAUTH_URL this way. */
  env?: Record<string, string>;
  /** The prefix of the server's log lines. */
  label?: string;
};

/** Starts `next start` on a free port against `databaseUrl`, with its decision listener on another, and waits until both answer. */
export async function startBenchApp(
  databaseUrl: string,
  options: BenchAppOptions = {},
): Promise<BenchApp & { stop: () => Promise<void> }> {
  const port = options.port ?? (await freePort());
  const origin = `http://127.0.0.1:${port}`;
  const decisionPort = await freePort();
  const decisionOrigin = `http://127.0.0.1:${decisionPort}`;
  const secret = options.env?.NEXTAUTH_SECRET ?? randomBytes(32).toString("base64url");
  // A data directory given by the caller is the caller's to remove.
  const ownDataDir = options.env?.DATA_DIR === undefined;
  const dataDir = options.env?.DATA_DIR ?? mkdtempSync(path.join(os.tmpdir(), "clearance-bench-"));
  const child = startProcess(
    path.join("node_modules", ".bin", "next"),
    ["start", "-p", String(port), "-H", "127.0.0.1"],
    childProcessEnv({
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      SEED_DEMO: "false",
      NEXTAUTH_URL: origin,
      NEXTAUTH_SECRET: secret,
      DATA_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      AUDIT_CHAIN_KEY: randomBytes(32).toString("base64"),
      LOG_LEVEL: "warn",
      ACCESS_API_PORT: String(decisionPort),
      ...options.env,
    }),
    (line) => console.log(`[${options.label ?? "next"}] ${line}`),
  );
  const stop = async () => {
    await stopProcess(child);
    if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForHttp(`${origin}/api/health`, child);
    await waitForHttp(`${decisionOrigin}/api/health`, child);
  } catch (error) {
    await stop();
    throw error;
  }
  return { origin, decisionOrigin, secret, process: child, stop };
}
