import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import postgres, { type Sql } from "postgres";

import { openDatabase, type Db } from "@/db/client";
import type { AppRole } from "@/db/schema";
import type { Viewer } from "@/lib/auth/roles";
import { overviewFromDatabase } from "@/lib/reports/overview";
import { teamRows } from "@/lib/team/matrix";
import { parseTeamFilters, viewTeam } from "@/lib/team/view";
import { syncAssignments } from "@/lib/training/assignments";

import {
  benchLog as log,
  machineFacts,
  runBenchmark,
  startBenchApp,
  type BenchDatabase,
  type BenchRun,
} from "./lib/bench-app";
import { median } from "./lib/bench-load";
import { sessionCookieFor, shapeOrganisation } from "./lib/bench-org";
import { seedBenchOrganisation } from "./lib/bench-seed";
import { benchSettings } from "./lib/bench-settings";

/**
 * npm run bench:reports — seeds 10,000 people with a manager of 1,000 direct
 * and indirect reports into a throwaway PostgreSQL database, then times the
 * /team matrix and /admin/overview as the production build serves them
 * (signed in, full HTML) next to the SQL those pages need, replayed on their
 * own. Results: bench-results/reports.json.
 */

const PEOPLE = 10_000;
const TEAM = 1_000;
const LEADS = 20;
// Overridable for a quick smoke run; the published figures use the defaults.
const RUNS = benchSettings().BENCH_RUNS;
// A freshly started server compiles its hot paths over its first dozen or so
// renders of a page (measured: /team settles after about 15); the figures are
// for a server that has been up a while, as people meet it.
const WARMUP_RUNS = 15;
const TARGET_MS = 500;
const TARGET_RATIO = 2;

type Statement = { query: string; params: unknown[] };
type PageResult = {
  path: string;
  renderMs: { median: number; p90: number; max: number };
  dataFunctionsMs: number;
  rawSqlMs: number;
  statements: number;
  ratio: number;
  meetsTarget: boolean;
};

async function main(): Promise<number> {
  return runBenchmark("clearance_bench_reports", run);
}

const p90 = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.9))];
const round = (ms: number) => Math.round(ms * 10) / 10;

/** Runs `fn` `runs` times one after the other and returns each duration in ms. */
async function timeRuns(runs: number, fn: () => Promise<unknown>): Promise<number[]> {
  const durations: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    durations.push(performance.now() - t0);
  }
  return durations;
}

/** Every statement the page's data functions send, with its parameters, captured through the driver's logger. */
async function captureStatements(url: string, work: (db: Db) => Promise<unknown>): Promise<Statement[]> {
  const statements: Statement[] = [];
  const handle = await openDatabase({
    url,
    logger: { logQuery: (query, params) => statements.push({ query, params }) },
  });
  try {
    await work(handle.db);
  } finally {
    await handle.close();
  }
  return statements;
}

/** The same statements sent one after the other on one connection: the least time the data can take. */
async function replay(sql: Sql, statements: Statement[]): Promise<number[]> {
  return timeRuns(RUNS, async () => {
    for (const s of statements) await sql.unsafe(s.query, s.params as never[]);
  });
}

async function run(database: BenchDatabase, { started, loadAtStart }: BenchRun): Promise<number> {
  const now = new Date();
  const sql = postgres(database.url, { max: 1, onnotice: () => {} });
  let app: Awaited<ReturnType<typeof startBenchApp>> | undefined;
  try {
    const seedStart = Date.now();
    const { counts } = await seedBenchOrganisation(sql, {
      people: PEOPLE,
      now,
      onProgress: (n) => n % 5000 === 0 && log(`seeded ${n} people`),
    });
    const { managerId, adminId, teamSize } = await shapeOrganisation(sql, { team: TEAM, leads: LEADS });
    const seedSeconds = (Date.now() - seedStart) / 1000;
    log(
      `seeded in ${seedSeconds.toFixed(1)} s: ${counts.people} people, ${counts.certifications} certifications, ${counts.signatures} signatures; one manager with ${teamSize} reports (${LEADS} leads)`,
    );

    app = await startBenchApp(database.url);
    log(`next start on ${app.origin}`);
    const cookieFor = (personId: string) => sessionCookieFor(sql, personId, app!.secret);
    const pages = [
      {
        path: "/team",
        cookie: await cookieFor(managerId),
        expect: `Training status of ${teamSize.toLocaleString("en")} people`,
      },
      { path: "/admin/overview", cookie: await cookieFor(adminId), expect: "Overview" },
    ];
    const fetchPage = async (page: (typeof pages)[number]) => {
      const response = await fetch(app!.origin + page.path, { headers: { cookie: page.cookie }, redirect: "manual" });
      const html = await response.text();
      if (response.status !== 200 || !html.includes(page.expect))
        throw new Error(`${page.path} answered ${response.status} without "${page.expect}"`);
    };

    // Assignments as the scheduler's daily sync leaves them: what is timed is a page as people see it every day.
    const syncHandle = await openDatabase({ url: database.url });
    await syncAssignments(syncHandle.db, { now }).finally(() => syncHandle.close());
    const renders = new Map<string, number[]>();
    for (const page of pages) {
      await timeRuns(WARMUP_RUNS, () => fetchPage(page));
      renders.set(page.path, await timeRuns(RUNS, () => fetchPage(page)));
      log(`${page.path}: ${RUNS} renders timed`);
    }

    const viewer = (id: string, roles: AppRole[]): Viewer => ({
      id,
      email: "",
      name: "",
      roles,
      departmentId: null,
      mfaEnabled: true,
      mfaRequired: true,
    });
    const manager = viewer(managerId, ["employee", "manager"]);
    // What each page's server component asks of lib/, as the pages call it.
    const work: Record<string, (db: Db) => Promise<unknown>> = {
      "/team": async (db) => {
        const { rows, items } = await teamRows(db, manager, now);
        return viewTeam(rows, items, parseTeamFilters({}), now);
      },
      "/admin/overview": (db) => overviewFromDatabase(db, now),
    };
    // Captured from one run of the data functions; the viewer's own row, read on every request, comes first.
    const viewerRead = (id: string): Statement => ({
      query: "select id, email, name, roles, status, department_id, mfa_enabled_at from people where id = $1 limit 1",
      params: [id],
    });
    const statementsOf: Record<string, Statement[]> = {
      "/team": [viewerRead(managerId), ...(await captureStatements(database.url, work["/team"]))],
      "/admin/overview": [viewerRead(adminId), ...(await captureStatements(database.url, work["/admin/overview"]))],
    };

    const dataHandle = await openDatabase({ url: database.url });
    const results: PageResult[] = [];
    try {
      for (const { path: pagePath } of pages) {
        const statements = statementsOf[pagePath];
        const raw = median(await replay(sql, statements));
        const data = median(await timeRuns(RUNS, () => work[pagePath](dataHandle.db)));
        const times = renders.get(pagePath)!;
        const renderMedian = median(times);
        const ratio = renderMedian / raw;
        results.push({
          path: pagePath,
          renderMs: { median: round(renderMedian), p90: round(p90(times)), max: round(Math.max(...times)) },
          dataFunctionsMs: round(data),
          rawSqlMs: round(raw),
          statements: statements.length,
          ratio: +ratio.toFixed(2),
          meetsTarget: renderMedian < TARGET_MS && ratio <= TARGET_RATIO,
        });
      }
    } finally {
      await dataHandle.close();
    }

    console.log(
      `\nServer renders, signed in, full HTML (${RUNS} runs after ${WARMUP_RUNS} warm-up; ${PEOPLE.toLocaleString("en")} people, a team of ${teamSize.toLocaleString("en")})\n`,
    );
    console.log(
      "page            | render median / p90 ms | data functions ms | raw SQL ms (statements) | render ÷ raw | target (< 500 ms, ≤ 2×)",
    );
    for (const r of results) {
      console.log(
        `${r.path.padEnd(15)} | ${`${r.renderMs.median} / ${r.renderMs.p90}`.padStart(22)} | ${String(r.dataFunctionsMs).padStart(17)} | ${`${r.rawSqlMs} (${r.statements})`.padStart(23)} | ${`${r.ratio}×`.padStart(12)} | ${r.meetsTarget ? "met" : "not met"}`,
      );
    }

    const report = {
      at: now.toISOString(),
      machine: machineFacts(loadAtStart, database.serverVersion),
      dataset: { ...counts, teamSize, leads: LEADS },
      seedSeconds,
      runs: RUNS,
      pages: results,
      notes:
        "Render: GET of the page by the production build with a session cookie, until the last byte of HTML, one request at a time. Data functions: the page's lib/ functions in this process through drizzle. Raw SQL: the statements those functions send, captured through the driver's logger and replayed one after the other on one postgres.js connection. Load generator, server and PostgreSQL share the machine.",
      totalSeconds: Math.round((Date.now() - started) / 1000),
    };
    mkdirSync("bench-results", { recursive: true });
    writeFileSync(path.join("bench-results", "reports.json"), `${JSON.stringify(report, null, 2)}\n`);
    log(`wrote bench-results/reports.json (${report.totalSeconds} s in all)`);
    return 0;
  } finally {
    await app?.stop();
    await sql.end({ timeout: 5 });
  }
}

process.exitCode = await main();
