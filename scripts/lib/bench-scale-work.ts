import { spawn } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";

import postgres from "postgres";

import { benchLog as log, type BenchDatabase } from "./bench-app";

/**
 * The pieces of npm run bench:scale that run in processes of their own, as
 * they do in production (the worker, the evidence pack, backup, restore), each
 * timed with its peak memory, and the repeats whose median is a figure.
 */

const SCRIPTS = path.join(path.dirname(new URL(import.meta.url).pathname), "..");

/**
 * Each figure is taken this many times and its median kept, so one noisy
 * turn cannot decide a growth factor; work that took longer than
 * LONG_WORK_MS the first time (the pack, backup and restore at the largest
 * sizes) is taken once, as its own length already evens out the noise.
 */
export const REPEATS = 3;
export const LONG_WORK_MS = 60_000;

/** Runs `once` REPEATS times (once only when the first run took over LONG_WORK_MS) and keeps every run. */
export async function repeated<T extends { ms: number } | { failed: string }>(once: () => Promise<T>): Promise<T[]> {
  const runs = [await once()];
  while (runs.length < REPEATS) {
    const first = runs[0];
    if ("failed" in first || first.ms > LONG_WORK_MS) break;
    const next = await once();
    runs.push(next);
    if ("failed" in next) break;
  }
  return runs;
}

/** The run with the median time of those that succeeded, with every run's time beside it; the first failure otherwise. */
export function medianRun<T extends { ms: number }>(
  runs: (T | { failed: string })[],
): (T & { runsMs: number[] }) | { failed: string } {
  const failed = runs.find((r): r is { failed: string } => "failed" in r);
  if (failed) return failed;
  const done = runs as T[];
  const sorted = [...done].sort((a, b) => a.ms - b.ms);
  return { ...sorted[Math.floor(sorted.length / 2)], runsMs: done.map((r) => r.ms) };
}

export type ProcessRun = { ms: number; peakRssMb: number; stdout: string; code: number | null };
export type SchedulerRun = {
  ms: number;
  stepMs: Record<string, number>;
  queued: number;
  queuedKinds: Record<string, number>;
  sweep: { slice: number; slices: number };
  peakRssMb: number;
};

/** The median run of a piece of work, with every run's time (see medianRun); or why it failed. */
export type Timed<T> = (T & { ms: number; runsMs: number[] }) | { failed: string };

/** Runs a script of this repository in a node process of its own, reading its peak RSS (VmHWM) from /proc until it exits. */
export function runScript(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...process.execArgv, path.join(SCRIPTS, script), ...args], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let peakKb = 0;
    const sample = () => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
        peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
      } catch {
        /* exited */
      }
    };
    const sampler = setInterval(sample, 100);
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    createInterface({ input: child.stderr }).on("line", (line) => console.log(`[${script}] ${line}`));
    child.on("error", reject);
    child.on("exit", (code) => {
      clearInterval(sampler);
      resolve({ ms: Math.round(performance.now() - started), peakRssMb: Math.round(peakKb / 1024), stdout, code });
    });
  });
}

const outboxByKind = async (sql: postgres.Sql) =>
  Object.fromEntries(
    (await sql<{ kind: string; n: number }[]>`select kind, count(*)::int as n from outbox group by kind`).map((r) => [
      r.kind,
      r.n,
    ]),
  );

/** One `npm run worker -- --once`: the tick's own time and step times from its log line, the process's peak memory. */
export async function schedulerRun(sql: postgres.Sql, env: NodeJS.ProcessEnv): Promise<SchedulerRun> {
  const before = await outboxByKind(sql);
  const run = await runScript("worker.ts", ["--once"], { ...env, LOG_LEVEL: "info" });
  const line = run.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map(
      (l) =>
        JSON.parse(l) as {
          msg?: string;
          report?: {
            ms: number;
            stepMs: Record<string, number>;
            steps: { sweep?: { slice: number; slices: number } };
            errors: string[];
          };
        },
    )
    .find((entry) => entry.msg === "scheduled work ran");
  if (run.code !== 0 || !line?.report) throw new Error(`the worker exited with ${run.code} without a report`);
  if (line.report.errors.length) throw new Error(`scheduled steps failed: ${line.report.errors.join(", ")}`);
  const after = await outboxByKind(sql);
  const queuedKinds = Object.fromEntries(
    Object.entries(after)
      .map(([kind, n]) => [kind, n - (before[kind] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );
  return {
    ms: line.report.ms,
    stepMs: line.report.stepMs,
    queued: Object.values(queuedKinds).reduce((a, b) => a + b, 0),
    queuedKinds,
    sweep: line.report.steps.sweep ?? { slice: 0, slices: 1 },
    peakRssMb: run.peakRssMb,
  };
}

/** A whole-organisation pack for the last year, made by a fresh process exactly as the worker makes it (scripts/bench-evidence.ts --job). */
export async function timeEvidencePack(
  sql: postgres.Sql,
  url: string,
  env: NodeJS.ProcessEnv,
  now: Date,
): Promise<{ ms: number; peakRssMb: number; zipBytes: number } | { failed: string }> {
  const to = now.toISOString().slice(0, 10);
  const from = new Date(now.getTime() - 364 * 86_400_000).toISOString().slice(0, 10);
  const [{ id }] = await sql<{ id: string }[]>`insert into evidence_packs
    (created_by_label, period_from, period_to, overdue_days) values ('bench', ${from}, ${to}, 30) returning id`;
  const run = await runScript("bench-evidence.ts", ["--job", url], env);
  const [pack] = await sql<{ status: string; zip_bytes: number | null; error: string | null; ms: number | null }[]>`
    select status, zip_bytes, error, (extract(epoch from finished_at - started_at) * 1000)::int as ms
      from evidence_packs where id = ${id}`;
  if (run.code !== 0 || pack.status !== "ready") {
    const failed = `the pack's process exited with ${run.code}, pack ${pack.status}${pack.error ? `: ${pack.error}` : ""}`;
    log(`  evidence pack failed: ${failed}`);
    return { failed };
  }
  log(`  evidence pack: ${pack.ms} ms, ${run.peakRssMb} MB peak, ${Math.round((pack.zip_bytes ?? 0) / 1024)} KB`);
  return { ms: pack.ms ?? run.ms, peakRssMb: run.peakRssMb, zipBytes: pack.zip_bytes ?? 0 };
}

/** `npm run backup` to `file`, in its own process. */
export async function timeBackup(
  file: string,
  env: NodeJS.ProcessEnv,
): Promise<{ ms: number; peakRssMb: number; bytes: number } | { failed: string }> {
  const run = await runScript("backup.ts", ["--out", file], env);
  if (run.code !== 0) {
    log(`  backup failed (exit ${run.code})`);
    return { failed: `exit ${run.code}` };
  }
  const backup = { ms: run.ms, peakRssMb: run.peakRssMb, bytes: statSync(file).size };
  log(`  backup: ${backup.ms} ms, ${backup.peakRssMb} MB peak, ${Math.round(backup.bytes / 2 ** 20)} MB`);
  return backup;
}

/** `npm run restore` of `file` into a fresh database on the same server, in its own process; the database is dropped after. */
export async function timeRestore(
  adminUrl: string,
  database: BenchDatabase,
  file: string,
  env: NodeJS.ProcessEnv,
): Promise<{ ms: number; peakRssMb: number } | { failed: string }> {
  const target = `${database.name}_restore`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${target}`);
    const url = Object.assign(new URL(database.url), { pathname: `/${target}` }).toString();
    const run = await runScript("restore.ts", [file], { ...env, DATABASE_URL: url });
    if (run.code !== 0) {
      log(`  restore failed (exit ${run.code})`);
      return { failed: `exit ${run.code}` };
    }
    log(`  restore: ${run.ms} ms, ${run.peakRssMb} MB peak`);
    return { ms: run.ms, peakRssMb: run.peakRssMb };
  } finally {
    await admin.unsafe(`drop database if exists ${target} with (force)`).catch(() => {});
    await admin.end({ timeout: 5 });
  }
}
