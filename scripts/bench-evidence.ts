import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";

import postgres from "postgres";

import { openDatabase } from "@/db/client";
import { writeEvidencePack } from "@/lib/evidence/pack";

import { benchLog as log, machineFacts, withBenchDatabase } from "./lib/bench-app";
import { seedBenchOrganisation } from "./lib/bench-seed";
import { benchSettings } from "./lib/bench-settings";

/**
 * npm run bench:evidence — seeds BENCH_EVIDENCE_PEOPLE people (10,000 by
 * default) with their history (grants, attempts, certifications, signatures)
 * plus a year of assignments and logged access decisions into a throwaway
 * PostgreSQL database, then makes a whole-organisation evidence pack for the
 * last year, reporting the time taken and the process's peak memory.
 * Targets: under 60 s and 512 MB. Results: bench-results/evidence.json.
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
    const year = `'${now.toISOString()}'::timestamptz - interval '365 days'`;
    // A year of assignments (one per course a person holds a certification for) and of logged decisions.
    await sql.unsafe(`insert into assignments (person_id, course_id, source, assigned_at, due_at, completed_at)
      select person_id, course_id, 'rule', issued_at - interval '20 days', issued_at + interval '10 days',
             case when random() < 0.9 then issued_at end
        from certifications where issued_at > ${year}`);
    await sql.unsafe(`insert into access_decisions (at, person_id, subject, role_id, allow, reasons)
      select ${year} + random() * interval '365 days', p.id, p.email, 'customer-pii-read', random() < 0.8,
             case when random() < 0.8 then '{}'::text[] else '{course_missing}'::text[] end
        from people p, generate_series(1, ${DECISIONS_PER_PERSON})`);
    await sql`analyze`;
    const [{ assignments }] = await sql<
      { assignments: number }[]
    >`select count(*)::int as assignments from assignments`;
    const [{ decisions }] = await sql<{ decisions: number }[]>`select count(*)::int as decisions from access_decisions`;
    await sql.end();
    log(
      `seeded in ${Math.round(performance.now() - seedStarted) / 1000} s: ${JSON.stringify(counts)}, ${assignments} assignments, ${decisions} decisions`,
    );

    const handle = await openDatabase({ url: database.url });
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
    const to = now.toISOString().slice(0, 10);
    const from = new Date(now.getTime() - 364 * 86_400_000).toISOString().slice(0, 10);
    let bytes = 0;
    const phases: { phase: string; atMs: number }[] = [];
    const started = performance.now();
    const result = await writeEvidencePack(
      handle.db,
      {
        id: randomUUID(),
        periodFrom: from,
        periodTo: to,
        departmentId: null,
        overdueDays: 30,
        generatedBy: { id: null, label: "bench" },
        generatedAt: now,
      },
      (chunk) => void (bytes += chunk.length),
      (_done, _total, phase) => {
        const at = Math.round(performance.now() - started);
        phases.push({ phase, atMs: at });
        if (phases.length < 12) log(`  ${at} ms: ${phase}`);
      },
    );
    const ms = Math.round(performance.now() - started);
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    await handle.close();
    const report = {
      people,
      period: { from, to },
      seeded: { ...counts, assignments, decisions },
      zip: { bytes, files: result.files.length + 2 },
      ms,
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

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`[bench] failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
