import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import postgres from "postgres";

import { openDatabase } from "@/db/client";
import { accessRoles } from "@/lib/access/facts";
import { unrecordedLapses } from "@/lib/access/lapses";
import { childProcessEnv } from "@/lib/env";
import { remindersDue } from "@/lib/scheduler/reminders";
import { syncAssignments } from "@/lib/training/assignments";

import {
  ensureProductionBuild,
  exitWhenDone,
  benchLog as log,
  machineFacts,
  startBenchApp,
  withBenchDatabase,
  type BenchDatabase,
} from "./lib/bench-app";
import { measure, median } from "./lib/bench-load";
import { createBenchApiClient, randomChecks, sessionCookieFor, shapeOrganisation } from "./lib/bench-org";
import {
  medianRun,
  repeated,
  REPEATS,
  schedulerRun,
  timeBackup,
  timeEvidencePack,
  timeRestore,
  type SchedulerRun,
  type Timed,
} from "./lib/bench-scale-work";
import { seedBenchOrganisation, seedYearOfHistory, type SeedCounts } from "./lib/bench-seed";
import { benchSettings } from "./lib/bench-settings";
import { scaleChartSvg, type ScaleSeries } from "./lib/scale-chart";

/**
 * npm run bench:scale — how cost grows with the organisation. For each size in
 * BENCH_SCALE_SIZES (1,000, 10,000 and 100,000 people by default) it seeds a
 * fresh PostgreSQL database with people, grants, certifications, signatures
 * and a year of assignments and logged decisions, gives one manager 1,000
 * reports, lets the scheduler settle, and then measures: the access check at
 * 200 connections and a 1,000-pair batch on the decision listener, /team and
 * /admin/overview as the production build serves them, one scheduler run with
 * nothing new to send, a whole-organisation evidence pack for the year, a
 * backup and its restore into an empty database, and the database's size.
 * Each piece of work that a separate process does in production (the worker,
 * the pack, backup, restore) runs in its own process here, whose peak memory
 * is read from the kernel. Results: bench-results/scale.json and
 * bench-results/scale.svg (a log-log chart of the timings).
 */

const {
  BENCH_DATABASE_URL,
  BENCH_SCALE_SIZES: SIZES,
  BENCH_SECONDS,
  BENCH_WARMUP_SECONDS,
  BENCH_RUNS,
} = benchSettings();
const TEAM = 1_000;
const LEADS = 20;
const CONNECTIONS = 200;
const BATCH_PAIRS = 1_000;
const BATCH_RUNS = 10;
const WARMUP_RENDERS = 15;
const DECISIONS_PER_PERSON = 20;
/** Scheduler runs before the measured ones: the first settles what the seeded history left. */
const SCHEDULER_SETTLING_RUNS = 1;
const REFERENCE_SIZE = 10_000;

/** The middle value of whole figures, rounded; see median. */
const middle = (values: number[]) => Math.round(median(values));

type SizeResult = {
  people: number;
  seeded: SeedCounts & { assignments: number; decisions: number };
  seedSeconds: number;
  teamSize: number;
  /** Medians of the rounds, each round's figures beside them. */
  access: {
    requestsPerSecond: number;
    p50Ms: number;
    p99Ms: number;
    non2xx: number;
    errors: number;
    rounds: { requestsPerSecond: number; p50Ms: number; p99Ms: number }[];
  };
  batchMs: number;
  teamRenderMs: number;
  overviewRenderMs: number;
  schedulerRuns: SchedulerRun[];
  /** The measured runs' median, with each run's time. */
  idleScheduler: SchedulerRun & { runsMs: number[] };
  evidencePack: Timed<{ peakRssMb: number; zipBytes: number }>;
  backup: Timed<{ peakRssMb: number; bytes: number }>;
  restore: Timed<{ peakRssMb: number }>;
  databaseBytes: number;
  load1m: { atStart: number; atEnd: number };
};

async function timeRenders(url: string, cookie: string, expect: string): Promise<number> {
  const once = async () => {
    const t0 = performance.now();
    const response = await fetch(url, { headers: { cookie }, redirect: "manual" });
    const html = await response.text();
    if (response.status !== 200 || !html.includes(expect))
      throw new Error(`${url} answered ${response.status} without "${expect}"`);
    return performance.now() - t0;
  };
  for (let i = 0; i < WARMUP_RENDERS; i++) await once();
  const times: number[] = [];
  for (let i = 0; i < BENCH_RUNS; i++) times.push(await once());
  return Math.round(median(times));
}

async function measureSize(database: BenchDatabase, people: number): Promise<SizeResult> {
  const loadAtStart = os.loadavg()[0];
  const now = new Date();
  const sql = postgres(database.url, { max: 2, onnotice: () => {} });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "clearance-scale-"));
  // The app, the worker and the pack's process share their secrets, as instances of one deployment do.
  const shared = {
    NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
    DATA_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    AUDIT_CHAIN_KEY: randomBytes(32).toString("base64"),
    DATA_DIR: dataDir,
    SEED_DEMO: "false",
  };
  const processEnv = childProcessEnv({ ...shared, DATABASE_URL: database.url, LOG_LEVEL: "warn" });
  try {
    const seedStarted = performance.now();
    const { counts, emails } = await seedBenchOrganisation(sql, {
      people,
      now,
      onProgress: (n) => n % 20_000 === 0 && log(`  seeded ${n.toLocaleString("en")} people`),
    });
    const history = await seedYearOfHistory(sql, { now, decisionsPerPerson: DECISIONS_PER_PERSON });
    const { managerId, adminId, teamSize } = await shapeOrganisation(sql, { team: TEAM, leads: LEADS });
    const token = await createBenchApiClient(sql);
    const seedSeconds = Math.round((performance.now() - seedStarted) / 100) / 10;
    log(
      `  seeded in ${seedSeconds} s: ${counts.grants.toLocaleString("en")} grants, ${counts.certifications.toLocaleString("en")} certifications, ${counts.signatures.toLocaleString("en")} signatures, ${history.assignments.toLocaleString("en")} assignments, ${history.decisions.toLocaleString("en")} decisions`,
    );

    // A deployment that has been running: assignments synced, every reminder due so far sent, every lapse so far recorded.
    const settled = await settleHistory(sql, database.url, now);
    log(
      `  ${settled.reminders.toLocaleString("en")} reminders recorded as sent, ${settled.lapses.toLocaleString("en")} lapses as recorded`,
    );
    // Then scheduler runs, each in its own process as `npm run worker -- --once`: the first settles what is left,
    // the next REPEATS are the figure (their median). A large organisation is swept a slice a run (lib/scheduler/sweep.ts).
    const schedulerRuns: SchedulerRun[] = [];
    for (let i = 0; i < SCHEDULER_SETTLING_RUNS + REPEATS; i++) {
      const runReport = await schedulerRun(sql, processEnv);
      schedulerRuns.push(runReport);
      log(
        `  scheduler run ${i + 1}: ${runReport.ms} ms (slice ${runReport.sweep.slice + 1} of ${runReport.sweep.slices}), ${runReport.queued} messages queued ${JSON.stringify(runReport.queuedKinds)}, ${runReport.peakRssMb} MB peak; steps ${JSON.stringify(runReport.stepMs)}`,
      );
    }
    const idleScheduler = medianRun(schedulerRuns.slice(SCHEDULER_SETTLING_RUNS)) as SizeResult["idleScheduler"];
    await sql`vacuum analyze`;

    const app = await startBenchApp(database.url, { env: shared });
    let access: SizeResult["access"];
    let batchMs: number;
    let teamRenderMs: number;
    let overviewRenderMs: number;
    try {
      const roles = accessRoles();
      const { pairs, paths } = randomChecks(
        emails,
        roles.map((r) => r.id),
      );
      const rounds: SizeResult["access"]["rounds"] = [];
      let non2xx = 0;
      let errors = 0;
      for (let round = 0; round < REPEATS; round++) {
        const load = await measure(app.decisionOrigin, paths, {
          connections: CONNECTIONS,
          seconds: BENCH_SECONDS,
          warmupSeconds: BENCH_WARMUP_SECONDS,
          token,
        });
        rounds.push({ requestsPerSecond: load.requestsPerSecond, p50Ms: load.p50Ms, p99Ms: load.p99Ms });
        non2xx += load.non2xx;
        errors += load.errors;
        log(
          `  access check, ${CONNECTIONS} connections, round ${round + 1}: ${load.requestsPerSecond} req/s, p99 ${load.p99Ms} ms`,
        );
      }
      access = {
        requestsPerSecond: middle(rounds.map((r) => r.requestsPerSecond)),
        p50Ms: middle(rounds.map((r) => r.p50Ms)),
        p99Ms: middle(rounds.map((r) => r.p99Ms)),
        non2xx,
        errors,
        rounds,
      };

      const batchBody = JSON.stringify({ checks: pairs.slice(0, BATCH_PAIRS) });
      const batches: number[] = [];
      for (let i = 0; i < 3 + BATCH_RUNS; i++) {
        const t0 = performance.now();
        const response = await fetch(`${app.decisionOrigin}/api/v1/access/check`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: batchBody,
        });
        const body = (await response.json()) as { results?: unknown[] };
        if (response.status !== 200 || body.results?.length !== BATCH_PAIRS)
          throw new Error(`the batch check answered ${response.status}`);
        if (i >= 3) batches.push(performance.now() - t0);
      }
      batchMs = Math.round(median(batches));
      log(`  batch of ${BATCH_PAIRS}: ${batchMs} ms`);

      teamRenderMs = await timeRenders(
        `${app.origin}/team`,
        await sessionCookieFor(sql, managerId, app.secret),
        `Training status of ${teamSize.toLocaleString("en")} people`,
      );
      overviewRenderMs = await timeRenders(
        `${app.origin}/admin/overview`,
        await sessionCookieFor(sql, adminId, app.secret),
        "Overview",
      );
      log(`  /team ${teamRenderMs} ms, /admin/overview ${overviewRenderMs} ms`);
    } finally {
      await app.stop();
    }

    const evidencePack = medianRun(await repeated(() => timeEvidencePack(sql, database.url, processEnv, now)));
    const databaseBytes = Number(
      (await sql<{ bytes: string }[]>`select pg_database_size(current_database())::text as bytes`)[0].bytes,
    );
    const file = path.join(dataDir, "scale.backup");
    const backup = medianRun(await repeated(() => timeBackup(file, processEnv)));
    const restore =
      "failed" in backup
        ? { failed: "no backup to restore" }
        : medianRun(await repeated(() => timeRestore(BENCH_DATABASE_URL, database, file, processEnv)));
    return {
      people,
      seeded: { ...counts, ...history },
      seedSeconds,
      teamSize,
      access,
      batchMs,
      teamRenderMs,
      overviewRenderMs,
      schedulerRuns,
      idleScheduler,
      evidencePack,
      backup,
      restore,
      databaseBytes,
      load1m: { atStart: +loadAtStart.toFixed(2), atEnd: +os.loadavg()[0].toFixed(2) },
    };
  } finally {
    await sql.end({ timeout: 5 });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Syncs assignments, records every reminder due at `now` as sent earlier
 * (outbox rows with their dedupe keys) and every lapse so far as recorded
 * (`lapsed_at`), as a deployment that has been running has them.
 */
async function settleHistory(
  sql: postgres.Sql,
  url: string,
  now: Date,
): Promise<{ reminders: number; lapses: number }> {
  const handle = await openDatabase({ url });
  try {
    await syncAssignments(handle.db, { now });
    const due = await remindersDue(handle.db, now);
    for (let i = 0; i < due.length; i += 5_000) {
      const slice = due.slice(i, i + 5_000);
      await sql`insert into outbox (kind, dedupe_key, person_id, to_email, subject, status, created_at, sent_at)
        select k.kind, k.key, k.person::uuid, k.email, 'Reminder', 'sent', ${now}, ${now}
          from unnest(${slice.map((d) => d.kind)}::text[], ${slice.map((d) => d.key)}::text[],
                      ${slice.map((d) => d.personId)}::text[], ${slice.map((d) => d.email)}::text[]) as k(kind, key, person, email)
        on conflict (dedupe_key) do nothing`;
    }
    const lapsed = await unrecordedLapses(handle.db, now);
    for (let i = 0; i < lapsed.length; i += 5_000)
      await sql`update access_grants set lapsed_at = ${now} where id = any(${lapsed.slice(i, i + 5_000)}::uuid[])`;
    return { reminders: due.length, lapses: lapsed.length };
  } finally {
    await handle.close();
  }
}

type Figure = { name: string; unit: string; of: (r: SizeResult) => number | null; higherIsBetter?: boolean };
const ok = <T extends object>(v: T | { failed: string }): T | null => ("failed" in v ? null : v);
const FIGURES: Figure[] = [
  {
    name: "access check, 200 connections (req/s)",
    unit: "req/s",
    of: (r) => r.access.requestsPerSecond,
    higherIsBetter: true,
  },
  { name: "access check p99", unit: "ms", of: (r) => r.access.p99Ms },
  { name: "batch of 1,000 pairs", unit: "ms", of: (r) => r.batchMs },
  { name: "/team (1,000 reports)", unit: "ms", of: (r) => r.teamRenderMs },
  { name: "/admin/overview", unit: "ms", of: (r) => r.overviewRenderMs },
  { name: "scheduler run, nothing new", unit: "ms", of: (r) => r.idleScheduler.ms },
  { name: "evidence pack", unit: "ms", of: (r) => ok(r.evidencePack)?.ms ?? null },
  { name: "backup", unit: "ms", of: (r) => ok(r.backup)?.ms ?? null },
  { name: "restore", unit: "ms", of: (r) => ok(r.restore)?.ms ?? null },
  { name: "database size", unit: "MB", of: (r) => Math.round(r.databaseBytes / 2 ** 20) },
];

/** Growth against the 10,000-person figure: linear growth is the size ratio itself. */
function growth(results: SizeResult[]) {
  const reference = results.find((r) => r.people === REFERENCE_SIZE);
  return FIGURES.map((figure) => ({
    figure: figure.name,
    unit: figure.unit,
    values: results.map((r) => ({ people: r.people, value: figure.of(r) })),
    factorAtLargest: (() => {
      const largest = results.at(-1)!;
      const base = reference && figure.of(reference);
      const value = figure.of(largest);
      if (!reference || !base || value === null || largest === reference) return null;
      return +(figure.higherIsBetter ? base / value : value / base).toFixed(2);
    })(),
    sizeFactor: reference ? results.at(-1)!.people / REFERENCE_SIZE : null,
  }));
}

async function main(): Promise<number> {
  const started = Date.now();
  const loadAtStart = os.loadavg()[0];
  ensureProductionBuild();
  const results: SizeResult[] = [];
  let serverVersion = "";
  for (const people of SIZES) {
    log(`${people.toLocaleString("en")} people`);
    results.push(
      await withBenchDatabase(BENCH_DATABASE_URL, `clearance_bench_scale_${people}`, (database) => {
        serverVersion = database.serverVersion;
        return measureSize(database, people);
      }),
    );
  }

  const table = growth(results);
  const header = `| figure | ${results.map((r) => `${r.people.toLocaleString("en")} people`).join(" | ")} |`;
  console.log(`\n${header}\n|${" --- |".repeat(results.length + 1)}`);
  for (const row of table)
    console.log(
      `| ${row.figure} | ${row.values.map((v) => (v.value === null ? "failed" : `${v.value.toLocaleString("en")} ${row.unit}`)).join(" | ")} |`,
    );
  const largest = results.at(-1)!;
  const reference = results.find((r) => r.people === REFERENCE_SIZE);
  const targets = reference
    ? {
        linear: table.every((row) => row.factorAtLargest === null || row.factorAtLargest <= row.sizeFactor! * 1.1),
        accessWithin20Percent:
          largest.access.requestsPerSecond >= reference.access.requestsPerSecond * 0.8 &&
          largest.access.p99Ms <= reference.access.p99Ms * 1.2,
        teamWithin20Percent: largest.teamRenderMs <= reference.teamRenderMs * 1.2,
        idleSchedulerUnder10s: largest.idleScheduler.ms < 10_000,
      }
    : null;
  if (targets) console.log(`\ntargets at ${largest.people.toLocaleString("en")} people: ${JSON.stringify(targets)}`);

  const series: ScaleSeries[] = FIGURES.filter((f) => f.unit === "ms").map((f) => ({
    name: f.name,
    points: results.flatMap((r) => {
      const value = f.of(r);
      return value === null ? [] : [{ people: r.people, value }];
    }),
  }));
  const report = {
    at: new Date().toISOString(),
    machine: machineFacts(loadAtStart, serverVersion),
    sizes: results,
    growth: table,
    targets,
    notes:
      "Each size in a fresh database on the same PostgreSQL server. Access check: GET /api/v1/access/check on the decision listener under autocannon, random (person, role) pairs, three rounds; req/s, p50 and p99 are the rounds' medians. Batch: POST of 1,000 pairs, median of 10 after 3 warm-up. Pages: median of BENCH_RUNS renders after 15 warm-up, signed in, full HTML, one at a time. Scheduler: `npm run worker -- --once` in its own process, after the history is settled (assignments synced, every reminder due so far recorded as sent, every lapse so far recorded) and one run; the figure is the median of the next three runs' own times (each one slice of the sweep). Evidence pack, backup and restore: each in a fresh process, three times and the median kept unless the first run took over a minute; peak memory is the kernel's VmHWM. Load generator, app, PostgreSQL and those processes share the machine.",
    totalSeconds: Math.round((Date.now() - started) / 1000),
  };
  mkdirSync("bench-results", { recursive: true });
  writeFileSync("bench-results/scale.json", `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync("bench-results/scale.svg", scaleChartSvg(series));
  log(`wrote bench-results/scale.json and scale.svg (${report.totalSeconds} s in all)`);
  return 0;
}

exitWhenDone(main());
