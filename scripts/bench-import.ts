import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";

import { sql } from "drizzle-orm";

import { openDatabase, setDatabaseForTests } from "@/db/client";
import { selectRows } from "@/db/rows";
import { departments, people } from "@/db/schema";
import type { Viewer } from "@/lib/auth/roles";
import { createImportJob, getImportJob, requestApply, runImportJobs } from "@/lib/people/import-jobs";
import { tick } from "@/lib/scheduler/tick";
import { learnerOverview } from "@/lib/training/learner-overview";

import { exitWhenDone, benchLog as log, machineFacts, withBenchDatabase } from "./lib/bench-app";
import { benchSettings } from "./lib/bench-settings";

/**
 * npm run bench:import — generates an organisation's staff list (a hierarchy
 * across departments, staff listed before their managers, non-Latin names,
 * a few percent bad rows) and imports it through the import job into a fresh
 * PostgreSQL database: upload, validate, apply, then scheduler runs until no
 * new message is queued. Times each step, samples the process's memory, and
 * reports the outbox's size per person. While the file is applied, another
 * person's "my training" read (learnerOverview, what their home page shows)
 * is requested over HTTP from a server in the same process, one request
 * after another, and its latency reported next to the same loop run before
 * the import. Results: bench-results/import.json.
 * BENCH_IMPORT_SIZES=10000,100000 (default 10000).
 */

const sizes = benchSettings().BENCH_IMPORT_SIZES;

const TARGETS = { validate10k: 5_000, apply10k: 60_000, apply100k: 600_000, memoryMb: 1024, p99Ms: 500 };

type Latency = { requests: number; p50Ms: number; p99Ms: number; maxMs: number };

/**
 * Another user's page, served by this process while it works: a node:http
 * server answering with their learner overview (assignments synced, open
 * assignments, certifications, lesson progress), and a client asking for it
 * again 20 ms after each answer. Returns a stop function with the latencies.
 */
async function otherUserLoop(viewer: Viewer): Promise<() => Promise<Latency>> {
  const server = createServer((req, res) => {
    learnerOverview(viewer).then(
      (items) => res.end(JSON.stringify({ items: items.length })),
      () => {
        res.statusCode = 500;
        res.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const samples: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t = performance.now();
      const res = await fetch(url);
      await res.text();
      if (!res.ok) throw new Error(`other user's page answered ${res.status}`);
      samples.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return async () => {
    running = false;
    await loop;
    server.close();
    samples.sort((a, b) => a - b);
    const at = (q: number) => Math.round(samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]);
    return { requests: samples.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: Math.round(samples.at(-1) ?? 0) };
  };
}
const DEPARTMENTS = [
  ["support", "Customer Support"],
  ["engineering", "Engineering"],
  ["sales", "Sales"],
  ["finance", "Finance"],
  ["people-ops", "People Operations"],
] as const;
const GIVEN = [
  "Ana",
  "José",
  "Zoë",
  "Łukasz",
  "Søren",
  "李",
  "山田",
  "محمد",
  "Ярослава",
  "Αλέξανδρος",
  "Nguyễn",
  "Ömer",
];
const FAMILY = [
  "Silva",
  "Müller",
  "Ångström",
  "王",
  "太郎",
  "علي",
  "Ковальчук",
  "Παπαδόπουλος",
  "Trần",
  "Yılmaz",
  "O'Neil",
];

/** A seeded pseudo-random sequence, so every run imports the same file. */
function random(seed: number) {
  let s = seed;
  return () => (s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

/** The file: 1 head, ~1% managers in three levels, staff under them; 3% bad rows of four kinds; shuffled. */
export function organisationCsv(size: number): { csv: string; bad: number } {
  const rnd = random(size);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)];
  const rows: string[] = [];
  const emailOf = (i: number) => `p${i}@org.example`;
  const directors = Math.max(2, Math.floor(size / 2_000));
  const managers = Math.max(4, Math.floor(size / 100));
  let bad = 0;
  for (let i = 0; i < size; i++) {
    const manager =
      i === 0
        ? ""
        : i <= directors
          ? emailOf(0)
          : i <= directors + managers
            ? emailOf(1 + (i % directors))
            : emailOf(1 + directors + (i % managers));
    const roles = i <= directors + managers ? "employee;manager" : "";
    const [dept] = pick(DEPARTMENTS);
    const name = `"${pick(GIVEN)} ${pick(FAMILY)} ${i}"`;
    const hire = `2026-${String(1 + (i % 12)).padStart(2, "0")}-${String(1 + (i % 28)).padStart(2, "0")}`;
    let row = [emailOf(i), name, dept, "Agent", manager, hire, roles];
    // 3% bad rows, none of them a manager: an unknown department, an impossible date, a broken email, an unknown manager.
    if (i > directors + managers && i % 33 === 0) {
      bad++;
      const kind = (i / 33) % 4;
      if (kind === 0) row = [...row.slice(0, 2), "Marketing", ...row.slice(3)];
      else if (kind === 1) row = [...row.slice(0, 5), "2026-02-30", roles];
      else if (kind === 2) row = [`p${i}-at-org.example`, ...row.slice(1)];
      else row = [...row.slice(0, 4), "nobody@org.example", ...row.slice(5)];
    }
    rows.push(row.join(","));
  }
  // An HR export sorted by something else than the reporting line: managers land anywhere.
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [rows[i], rows[j]] = [rows[j], rows[i]];
  }
  return { csv: ["email,name,department,title,manager_email,hire_date,roles", ...rows].join("\r\n"), bad };
}

async function runSize(size: number) {
  const { BENCH_DATABASE_URL } = benchSettings();
  return withBenchDatabase(BENCH_DATABASE_URL, "clearance_bench_import", async (database) => {
    const handle = await openDatabase({ url: database.url });
    setDatabaseForTests(handle);
    const db = handle.db;
    try {
      await db.insert(departments).values(DEPARTMENTS.map(([id, name]) => ({ id, name })));
      const [admin] = await db
        .insert(people)
        .values({ email: "admin@org.example", name: "Bench Admin", roles: ["employee", "compliance_admin"] })
        .returning();
      const viewer: Viewer = { ...admin, mfaEnabled: true, mfaRequired: true } as unknown as Viewer;
      const [employee] = await db
        .insert(people)
        .values({ email: "reader@org.example", name: "Bench Reader", departmentId: "support", roles: ["employee"] })
        .returning();
      const reader = { ...employee, mfaEnabled: false, mfaRequired: false } as unknown as Viewer;

      let peakRss = process.memoryUsage().rss;
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
      const { csv, bad } = organisationCsv(size);
      const bytes = new TextEncoder().encode(csv);
      log(`${size.toLocaleString("en")} rows, ${(bytes.byteLength / 2 ** 20).toFixed(1)} MB, ${bad} bad rows`);

      let t = performance.now();
      const { id } = await createImportJob(viewer, { name: `org-${size}.csv`, bytes });
      const uploadMs = performance.now() - t;
      t = performance.now();
      await runImportJobs({ db });
      const validateMs = performance.now() - t;
      const ready = await getImportJob(viewer, id);
      log(
        `validated in ${Math.round(validateMs)} ms: ${JSON.stringify(ready.summary)}, ${ready.problemCount} problems`,
      );

      // The other user's page on a quiet system, then while the file is applied.
      let stop = await otherUserLoop(reader);
      await new Promise((r) => setTimeout(r, 5_000));
      const idleLatency = await stop();
      log(`other user's page, idle: ${JSON.stringify(idleLatency)}`);

      await requestApply(viewer, id);
      const peakBeforeApply = peakRss;
      peakRss = process.memoryUsage().rss;
      stop = await otherUserLoop(reader);
      t = performance.now();
      await runImportJobs({ db });
      const applyMs = performance.now() - t;
      const applyLatency = await stop();
      const applyPeakRss = peakRss;
      log(
        `other user's page, during the apply: ${JSON.stringify(applyLatency)}; apply peak RSS ${Math.round(applyPeakRss / 2 ** 20)} MB`,
      );
      const applied = await getImportJob(viewer, id);
      if (applied.status !== "applied") throw new Error(`apply ended ${applied.status}: ${applied.error}`);
      log(`applied in ${Math.round(applyMs)} ms: ${JSON.stringify(applied.result)}`);

      // The scheduler until a run queues nothing new: the welcomes were queued by the import itself.
      const schedulerStartRss = process.memoryUsage().rss;
      peakRss = schedulerStartRss;
      const ticks: { ms: number; reminders: unknown }[] = [];
      for (let run = 0; run < 5; run++) {
        const report = await tick();
        const reminders = report.steps.reminders as Record<string, number> | undefined;
        ticks.push({ ms: report.ms, reminders });
        log(
          `scheduler run ${run + 1}: ${report.ms} ms, reminders ${JSON.stringify(reminders)}, errors ${report.errors.join(", ") || "none"}`,
        );
        if (reminders && Object.values(reminders).every((n) => n === 0)) break;
      }
      clearInterval(sampler);
      const schedulerPeakRss = peakRss;

      const [outbox] = await selectRows<{ rows: number; bytes: number; persons: number; welcomes: number }>(
        db,
        sql`select (select count(*)::int from outbox) as rows, pg_total_relation_size('outbox')::bigint as bytes,
                   (select count(*)::int from people) as persons,
                   (select count(*)::int from outbox where kind = 'welcome') as welcomes`,
      );
      const persons = Number(outbox.persons);
      return {
        rows: size,
        fileMb: +(bytes.byteLength / 2 ** 20).toFixed(2),
        badRows: bad,
        summary: ready.summary,
        problems: ready.problemCount,
        uploadMs: Math.round(uploadMs),
        validateMs: Math.round(validateMs),
        applyMs: Math.round(applyMs),
        result: applied.result,
        schedulerRuns: ticks,
        // The import's own work (upload, validate, apply), then the scheduler runs after it, apart.
        peakRssMb: Math.round(Math.max(peakBeforeApply, applyPeakRss) / 2 ** 20),
        uploadValidatePeakRssMb: Math.round(peakBeforeApply / 2 ** 20),
        applyPeakRssMb: Math.round(applyPeakRss / 2 ** 20),
        schedulerPeakRssMb: Math.round(schedulerPeakRss / 2 ** 20),
        otherUser: { idle: idleLatency, duringApply: applyLatency },
        outbox: {
          rows: Number(outbox.rows),
          welcomes: Number(outbox.welcomes),
          rowsPerPerson: +(Number(outbox.rows) / persons).toFixed(2),
          bytesPerPerson: Math.round(Number(outbox.bytes) / persons),
          totalMb: +(Number(outbox.bytes) / 2 ** 20).toFixed(1),
        },
        serverVersion: database.serverVersion,
      };
    } finally {
      setDatabaseForTests(undefined);
      await handle.close();
    }
  });
}

async function main(): Promise<number> {
  const loadAtStart = os.loadavg()[0];
  const results = [];
  for (const size of sizes) results.push(await runSize(size));
  const byRows = new Map(results.map((r) => [r.rows, r]));
  const targets = {
    validate10kUnder5s: byRows.get(10_000) ? byRows.get(10_000)!.validateMs < TARGETS.validate10k : null,
    apply10kUnder60s: byRows.get(10_000) ? byRows.get(10_000)!.applyMs < TARGETS.apply10k : null,
    apply100kUnder10min: byRows.get(100_000) ? byRows.get(100_000)!.applyMs < TARGETS.apply100k : null,
    memoryUnder1GB: results.every((r) => r.peakRssMb < TARGETS.memoryMb),
    otherUserP99Under500ms: results.every((r) => r.otherUser.duringApply.p99Ms < TARGETS.p99Ms),
  };
  const report = {
    at: new Date().toISOString(),
    machine: machineFacts(loadAtStart, results[0].serverVersion),
    results,
    targets,
  };
  mkdirSync("bench-results", { recursive: true });
  writeFileSync(path.join("bench-results", "import.json"), `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify({ results, targets }, null, 2));
  return 0;
}

exitWhenDone(main());
