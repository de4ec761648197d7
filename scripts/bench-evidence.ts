import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";

import postgres from "postgres";

import { openDatabase } from "@/db/client";
import { childProcessEnv } from "@/lib/env";
import { runEvidencePacks } from "@/lib/evidence/packs";

import { exitWhenDone, benchLog as log, machineFacts, withBenchDatabase } from "./lib/bench-app";
import { seedBenchOrganisation, seedYearOfHistory } from "./lib/bench-seed";
import { benchSettings } from "./lib/bench-settings";

/**
 * npm run bench:evidence — seeds BENCH_EVIDENCE_PEOPLE people (10,000 by
 * default) with their history (grants, attempts, certifications, signatures)
 * plus a year of assignments and logged access decisions into a throwaway
 * PostgreSQL database, then queues a whole-organisation evidence pack for the
 * last year and has a fresh process make it exactly as the worker does
 * (written, encrypted and stored), reporting the time taken, that process's
 * peak memory and when each phase began. Targets: under 60 s and 512 MB.
 * Results: bench-results/evidence.json.
 */

const TARGET_MS = 60_000;
const TARGET_RSS_MB = 512;
const DECISIONS_PER_PERSON = 20;

async function main(): Promise<number> {
  const { BENCH_DATABASE_URL, BENCH_EVIDENCE_PEOPLE: people } = benchSettings();
  const loadAtStart = os.loadavg()[0];
  return withBenchDatabase(BENCH_DATABASE_URL, "clearance_bench_evidence", async (database) => {
    const now = new Date();
    const sql = postgres(database.url, { max: 2, onnotice: () => {} });
    const seedStarted = performance.now();
    const { counts } = await seedBenchOrganisation(sql, { people, now, onProgress: (n) => log(`seeded ${n} people`) });
    const { assignments, decisions } = await seedYearOfHistory(sql, { now, decisionsPerPerson: DECISIONS_PER_PERSON });
    await sql.end();
    log(
      `seeded in ${Math.round(performance.now() - seedStarted) / 1000} s: ${JSON.stringify(counts)}, ${assignments} assignments, ${decisions} decisions`,
    );

    const to = now.toISOString().slice(0, 10);
    const from = new Date(now.getTime() - 364 * 86_400_000).toISOString().slice(0, 10);
    const watch = postgres(database.url, { max: 1, onnotice: () => {} });
    const [{ id }] = await watch<{ id: string }[]>`insert into evidence_packs
      (created_by_label, period_from, period_to, overdue_days) values ('bench', ${from}, ${to}, 30) returning id`;
    const phases: { phase: string; atMs: number }[] = [];
    const started = performance.now();
    const job = runJobProcess(database.url);
    // The job records its phase as it goes; the pack's own process is left alone.
    const poller = setInterval(async () => {
      const [row] = await watch<{ phase: string | null }[]>`select phase from evidence_packs where id = ${id}`;
      if (row?.phase && row.phase !== phases.at(-1)?.phase) {
        phases.push({ phase: row.phase, atMs: Math.round(performance.now() - started) });
        if (phases.length < 12) log(`  ${phases.at(-1)!.atMs} ms: ${row.phase}`);
      }
    }, 250);
    const child = await job;
    const processMs = Math.round(performance.now() - started);
    clearInterval(poller);
    const [pack] = await watch<
      { status: string; zip_bytes: number | null; error: string | null; ms: number | null }[]
    >`select status, zip_bytes, error,
        (extract(epoch from finished_at - started_at) * 1000)::int as ms from evidence_packs where id = ${id}`;
    // From the job's claim to the stored pack, as the job recorded it (the process's start-up is not counted).
    const ms = pack.ms ?? processMs;
    await watch.end();
    if (pack.status !== "ready") throw new Error(`the pack did not finish: ${pack.status} ${pack.error ?? ""}`);
    const bytes = pack.zip_bytes ?? 0;
    const rssBefore = child.rssBefore;
    const peakRss = child.peakRss;
    const report = {
      people,
      period: { from, to },
      seeded: { ...counts, assignments, decisions },
      zip: { bytes },
      ms,
      processMs,
      phases: phases.filter((p, i) => i === 0 || p.phase !== phases[i - 1].phase),
      rssBeforeMb: Math.round(rssBefore / 2 ** 20),
      peakRssMb: Math.round(peakRss / 2 ** 20),
      meetsTarget: ms < TARGET_MS && peakRss / 2 ** 20 < TARGET_RSS_MB,
      machine: machineFacts(loadAtStart, database.serverVersion),
    };
    mkdirSync("bench-results", { recursive: true });
    writeFileSync("bench-results/evidence.json", `${JSON.stringify(report, null, 2)}\n`);
    log(
      `pack of ${people} people: ${ms / 1000} s, peak RSS ${report.peakRssMb} MB (${report.rssBeforeMb} MB before), ZIP ${Math.round(bytes / 1024)} KB; targets < 60 s, < 512 MB: ${report.meetsTarget ? "met" : "missed"}`,
    );
    return report.meetsTarget ? 0 : 1;
  });
}

/** Runs this script again as the pack's process (`--job`), and reads back the memory it reports. */
function runJobProcess(url: string): Promise<{ rssBefore: number; peakRss: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1], "--job", url], {
      env: childProcessEnv(),
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("exit", (code) => {
      const line = out.trim().split("\n").at(-1) ?? "";
      if (code !== 0 || !line.startsWith("{")) return reject(new Error(`the pack's process exited with ${code}`));
      resolve(JSON.parse(line));
    });
  });
}

/** The pack's process: make the queued pack as the worker would, sampling this process's memory. */
async function job(url: string): Promise<number> {
  const handle = await openDatabase({ url });
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  const report = await runEvidencePacks({ db: handle.db, maxJobs: 1 });
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  await handle.close();
  if (report.generated !== 1) return 1;
  console.log(JSON.stringify({ rssBefore, peakRss }));
  return 0;
}

const jobAt = process.argv.indexOf("--job");
exitWhenDone(jobAt > 0 ? job(process.argv[jobAt + 1]) : main());
