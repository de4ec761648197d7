import type { ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import postgres from "postgres";

import { accessRoles } from "@/lib/access/facts";
import { childProcessEnv } from "@/lib/env";

import {
  benchLog,
  machineFacts,
  runBenchmark,
  startBenchApp,
  type BenchDatabase,
  type BenchRun,
} from "./lib/bench-app";
import { startBaselineServer } from "./lib/bench-baseline";
import {
  freePort,
  measure,
  measureOpenLoop,
  median,
  startProcess,
  stopProcess,
  waitForHttp,
  type LoadResult,
  type OpenLoopResult,
} from "./lib/bench-load";
import { createBenchApiClient, randomChecks } from "./lib/bench-org";
import { seedBenchOrganisation } from "./lib/bench-seed";
import { benchSettings } from "./lib/bench-settings";

/**
 * npm run bench:access — seeds a throwaway PostgreSQL database, runs the
 * production build against it and measures GET /api/v1/access/check on the
 * decision listener (ACCESS_API_PORT, the port high-volume callers use) and
 * on the web app's own route, next to a bare node:http + postgres.js
 * baseline. Results: bench-results/access.json.
 */

const CONNECTIONS = [50, 200];
// Overridable for a quick smoke run; the published figures use the defaults.
const {
  BENCH_SECONDS: SECONDS,
  BENCH_WARMUP_SECONDS: WARMUP_SECONDS,
  BENCH_OPEN_LOOP_RATES: OPEN_LOOP_RATES,
  BENCH_ACCESS_PEOPLE: PEOPLE,
} = benchSettings();
const BATCH_PAIRS = 1000;
const BATCH_RUNS = 10;
const BATCH_WARMUP_RUNS = 3;
const SAMPLE = 300;
const AUTHZEN_TURNS = 3;

// Child mode: the baseline server runs in its own process, like `next start`, so it does not share an event loop with the load generator.
if (process.argv[2] === "--baseline-server") {
  await startBaselineServer(process.argv[3], Number(process.argv[4]));
  console.log("baseline ready");
} else {
  process.exitCode = await main();
}

/** Statements a second from 10 concurrent loops over 5 s, each statement its own transaction. */
async function writesPerSecond(statement: () => Promise<unknown>, seconds = 5): Promise<number> {
  let done = 0;
  const deadline = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (Date.now() < deadline) {
        await statement();
        done++;
      }
    }),
  );
  return Math.round(done / seconds);
}

async function main(): Promise<number> {
  return runBenchmark("clearance_bench", run);
}

async function run(database: BenchDatabase, { started, loadAtStart }: BenchRun): Promise<number> {
  const log = benchLog;
  const benchUrl = database.url;
  let app: Awaited<ReturnType<typeof startBenchApp>> | undefined;
  let baseline: ChildProcess | undefined;
  try {
    const now = new Date();
    const seedStart = Date.now();
    const roles = accessRoles();
    const bench = postgres(benchUrl, { max: 1, onnotice: () => {} });
    const { counts, emails } = await seedBenchOrganisation(bench, {
      people: PEOPLE,
      now,
      onProgress: (n) => n % 10_000 === 0 && log(`seeded ${n} people`),
    });
    const seedSeconds = (Date.now() - seedStart) / 1000;
    log(
      `seeded in ${seedSeconds.toFixed(1)} s: ${counts.people} people, ${counts.grants} grants, ${counts.certifications} certifications (+ their quiz attempts), ${counts.signatures} signatures`,
    );
    log(
      `the role catalogue (content/access-roles.yaml) has ${roles.length} roles, not 20: each person has ~${Math.round(counts.grants / counts.people)} grant records over those ${roles.length} (requests, denials, revocations, ended and current grants) rather than invented roles`,
    );

    const token = await createBenchApiClient(bench);
    await bench`analyze`;
    await bench.end({ timeout: 5 });

    const basePort = await freePort();
    const baseOrigin = `http://127.0.0.1:${basePort}`;
    baseline = startProcess(
      process.execPath,
      [...process.execArgv, process.argv[1], "--baseline-server", benchUrl, String(basePort)],
      childProcessEnv(),
      (line) => console.log(`[baseline] ${line}`),
    );
    [app] = await Promise.all([startBenchApp(benchUrl), waitForHttp(`${baseOrigin}/health`, baseline)]);
    const appOrigin = app.origin;
    const decisionOrigin = app.decisionOrigin;
    log(`next start on ${appOrigin} with its decision listener on ${decisionOrigin}, baseline on ${baseOrigin}`);

    // Random (person, role) pairs; the same sequence for both servers.
    const { pairs, paths } = randomChecks(
      emails,
      roles.map((r) => r.id),
    );
    const auth = { authorization: `Bearer ${token}` };

    // Both must give the same answers, or the comparison means nothing.
    let agree = 0;
    let allowed = 0;
    const sequentialMs: { api: number[]; baseline: number[] } = { api: [], baseline: [] };
    const timed = async (url: string, init: RequestInit, into: number[]) => {
      const t0 = performance.now();
      const body = await (await fetch(url, init)).json();
      into.push(performance.now() - t0);
      return body;
    };
    for (const p of paths.slice(0, SAMPLE)) {
      const a = await timed(decisionOrigin + p, { headers: auth }, sequentialMs.api);
      const b = await timed(baseOrigin + p, {}, sequentialMs.baseline);
      const viaRoute = await (await fetch(appOrigin + p, { headers: auth })).json();
      // The API's answers also carry their revision and decision id, which the baseline has no notion of.
      const decision = (d: { allow: boolean; reasons: string[]; valid_until: string | null }) =>
        JSON.stringify([d.allow, d.reasons, d.valid_until]);
      if (decision(a) === decision(b) && decision(viaRoute) === decision(a)) agree++;
      else
        log(
          `disagree on ${p}: listener ${JSON.stringify(a)} route ${JSON.stringify(viaRoute)} baseline ${JSON.stringify(b)}`,
        );
      if (a.allow) allowed++;
    }
    const sequential = {
      apiMedianMs: +median(sequentialMs.api).toFixed(1),
      baselineMedianMs: +median(sequentialMs.baseline).toFixed(1),
    };
    log(
      `the decision listener, the app's route and the baseline agree on ${agree}/${SAMPLE} sampled decisions (${allowed} allowed); one request at a time, median ${sequential.apiMedianMs} ms (API) vs ${sequential.baselineMedianMs} ms (baseline)`,
    );

    const changer = postgres(benchUrl, { max: 1, onnotice: () => {} });
    const moveRevision = async () => {
      await changer`update access_revision set revision = revision + 1, changed_at = clock_timestamp()`;
    };
    const batchBody = JSON.stringify({ checks: pairs.slice(0, BATCH_PAIRS) });
    const timeBatches = async (origin: string, { afterChange = false } = {}) => {
      const ms: number[] = [];
      for (let i = 0; i < BATCH_WARMUP_RUNS + BATCH_RUNS; i++) {
        // A change elsewhere in the organisation moves the access revision: every fact the servers keep must be read again.
        if (afterChange) await moveRevision();
        const t0 = performance.now();
        const response = await fetch(`${origin}/api/v1/access/check`, {
          method: "POST",
          headers: { ...auth, "content-type": "application/json" },
          body: batchBody,
        });
        const body = await response.json();
        if (i >= BATCH_WARMUP_RUNS) ms.push(Math.round(performance.now() - t0));
        if (response.status !== 200 || body.results.length !== BATCH_PAIRS)
          throw new Error(`batch check answered ${response.status}`);
      }
      return ms;
    };
    // A batch as a system asks it of a running server: after a few warm-up batches, before the load tests below.
    const batchMs = await timeBatches(decisionOrigin);
    const routeBatchMs = await timeBatches(appOrigin);
    const changedBatchMs = await timeBatches(decisionOrigin, { afterChange: true });
    log(
      `POST /api/v1/access/check with ${BATCH_PAIRS} pairs: listener median ${median(batchMs)} ms, the app's route ${median(routeBatchMs)} ms; the listener after a change each time ${median(changedBatchMs)} ms`,
    );

    const results: {
      api: LoadResult[];
      route: LoadResult[];
      baseline: LoadResult[];
      framework: LoadResult[];
      floor: LoadResult[];
    } = { api: [], route: [], baseline: [], framework: [], floor: [] };
    for (const connections of CONNECTIONS) {
      log(`GET /api/v1/access/check, ${connections} connections: decision listener…`);
      results.api.push(
        await measure(decisionOrigin, paths, { connections, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, token }),
      );
      log(`… the app's route (next start)`);
      results.route.push(
        await measure(appOrigin, paths, { connections, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, token }),
      );
      log(`… baseline`);
      results.baseline.push(
        await measure(baseOrigin, paths, { connections, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS }),
      );
      // The most the framework serves here: the same next start answering /api/health, one `select 1` and no auth.
      log(`… GET /api/health on next start (the framework's own ceiling)`);
      results.framework.push(
        await measure(appOrigin, ["/api/health"], { connections, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS }),
      );
      // The floor: the decision listener answering a constant (GET /api/health: no database, no token), what any node:http server manages here.
      log(`… GET /api/health on the decision listener (no database: the machine's floor)`);
      results.floor.push(
        await measure(decisionOrigin, ["/api/health"], {
          connections,
          seconds: SECONDS,
          warmupSeconds: WARMUP_SECONDS,
        }),
      );
    }

    // AuthZEN's single evaluation against the same check through the listener, at 200 connections. The two
    // take turns (check, evaluation, three times) so both see the machine and the decision log's size alike.
    const evaluationBodies = pairs.map((p) =>
      JSON.stringify({
        subject: { type: "user", id: p.user },
        action: { name: "hold" },
        resource: { type: "role", id: p.role },
      }),
    );
    const turns: { check: LoadResult; authzen: LoadResult }[] = [];
    for (let turn = 0; turn < AUTHZEN_TURNS; turn++) {
      log(
        `GET /api/v1/access/check then POST /access/v1/evaluation, 200 connections, turn ${turn + 1} of ${AUTHZEN_TURNS}…`,
      );
      const check = await measure(decisionOrigin, paths, {
        connections: 200,
        seconds: SECONDS,
        warmupSeconds: WARMUP_SECONDS,
        token,
      });
      const evaluation = await measure(decisionOrigin, evaluationBodies, {
        connections: 200,
        seconds: SECONDS,
        warmupSeconds: WARMUP_SECONDS,
        token,
        postTo: "/access/v1/evaluation",
      });
      turns.push({ check, authzen: evaluation });
    }
    const ratios = turns.map((t) => t.authzen.requestsPerSecond / Math.max(1, t.check.requestsPerSecond));
    const authzenRatio = +median(ratios).toFixed(2);
    const authzen = turns[ratios.indexOf(median(ratios))].authzen;
    const checkAt200 = turns[ratios.indexOf(median(ratios))].check;

    // Open loop: a constant arrival rate, whatever the answers do.
    const openLoop: OpenLoopResult[] = [];
    for (const rate of OPEN_LOOP_RATES) {
      log(`open loop: ${rate} checks/s for ${SECONDS} s on the decision listener…`);
      openLoop.push(await measureOpenLoop(decisionOrigin, paths, { rate, seconds: SECONDS, token }));
    }

    // The same batches once more, straight after the load: the decision log's backlog and PostgreSQL's clean-up after a few hundred thousand inserts weigh on them.
    const afterLoadMs = await timeBatches(decisionOrigin);
    await changer.end({ timeout: 5 });

    // What the per-request writes cost on their own: the shared rate-limit row every request of a client increments, and the decision log.
    const probe = postgres(benchUrl, { max: 10, onnotice: () => {} });
    const writes = {
      rateLimitUpsertsPerSecond: await writesPerSecond(
        () =>
          probe`insert into rate_limits (key, window_start, count) values ('bench:probe', date_trunc('minute', now()), 1) on conflict (key, window_start) do update set count = rate_limits.count + 1`,
      ),
      decisionLogInsertsPerSecond: await writesPerSecond(
        () =>
          probe`insert into access_decisions (at, subject, role_id, allow, reasons) values (now(), 'probe', 'probe', false, '{}')`,
      ),
    };
    await probe.end({ timeout: 5 });
    log(
      `alone, 10 connections: ${writes.rateLimitUpsertsPerSecond} rate-limit upserts/s on one row, ${writes.decisionLogInsertsPerSecond} decision-log inserts/s`,
    );

    const rows = CONNECTIONS.map((c, i) => ({
      connections: c,
      api: results.api[i],
      route: results.route[i],
      baseline: results.baseline[i],
      frameworkHealth: results.framework[i],
      listenerFloor: results.floor[i],
      throughputRatio: +(results.baseline[i].requestsPerSecond / Math.max(1, results.api[i].requestsPerSecond)).toFixed(
        2,
      ),
    }));
    console.log(
      `\nGET /api/v1/access/check (random person and role, ${SECONDS} s after a ${WARMUP_SECONDS} s warm-up)\n`,
    );
    console.log(
      "connections | listener req/s | listener p50 / p99 ms | baseline req/s | baseline p50 / p99 ms | baseline ÷ listener | app route req/s, p50 / p99 ms | /api/health req/s, p50 / p99 ms | listener constant req/s, p50 / p99 ms",
    );
    for (const r of rows) {
      console.log(
        `${String(r.connections).padStart(11)} | ${String(r.api.requestsPerSecond).padStart(14)} | ${`${r.api.p50Ms} / ${r.api.p99Ms}`.padStart(21)} | ${String(r.baseline.requestsPerSecond).padStart(14)} | ${`${r.baseline.p50Ms} / ${r.baseline.p99Ms}`.padStart(21)} | ${`${r.throughputRatio}×`.padStart(19)} | ${r.route.requestsPerSecond}, ${r.route.p50Ms} / ${r.route.p99Ms} | ${r.frameworkHealth.requestsPerSecond}, ${r.frameworkHealth.p50Ms} / ${r.frameworkHealth.p99Ms} | ${r.listenerFloor.requestsPerSecond}, ${r.listenerFloor.p50Ms} / ${r.listenerFloor.p99Ms}`,
      );
      if (r.api.non2xx || r.api.errors || r.baseline.non2xx || r.baseline.errors)
        log(
          `non-2xx/errors at ${r.connections}: API ${r.api.non2xx}/${r.api.errors}, baseline ${r.baseline.non2xx}/${r.baseline.errors}`,
        );
    }
    console.log(
      `\nPOST /access/v1/evaluation (AuthZEN) against GET /api/v1/access/check, 200 connections, taking turns: ${turns.map((t) => `${t.authzen.requestsPerSecond} vs ${t.check.requestsPerSecond} req/s`).join("; ")}. Median ${Math.round(authzenRatio * 100)}% (p50 / p99 ${authzen.p50Ms} / ${authzen.p99Ms} ms against ${checkAt200.p50Ms} / ${checkAt200.p99Ms} ms)`,
    );
    console.log(`\nOpen loop on the decision listener (constant arrival rate, latency from each request's due time)\n`);
    console.log(
      "target checks/s | completed/s | p50 / p99 / p99.9 ms | max ms | non-2xx | errors | generator lag p99 ms",
    );
    for (const o of openLoop)
      console.log(
        `${String(o.targetPerSecond).padStart(15)} | ${String(o.completedPerSecond).padStart(11)} | ${`${o.p50Ms} / ${o.p99Ms} / ${o.p999Ms}`.padStart(20)} | ${String(o.maxMs).padStart(6)} | ${String(o.non2xx).padStart(7)} | ${String(o.errors).padStart(6)} | ${o.sendLagP99Ms}`,
      );
    console.log(
      `\nPOST /api/v1/access/check with ${BATCH_PAIRS} pairs (${BATCH_RUNS} runs after ${BATCH_WARMUP_RUNS} warm-up): decision listener median ${median(batchMs)} ms (${batchMs.join(", ")} ms); the app's route ${median(routeBatchMs)} ms; the listener straight after the load tests ${median(afterLoadMs)} ms; the listener with the access revision moved before each batch ${median(changedBatchMs)} ms (${changedBatchMs.join(", ")} ms)\n`,
    );

    const report = {
      at: now.toISOString(),
      machine: machineFacts(loadAtStart, database.serverVersion),
      dataset: {
        ...counts,
        rolesNote: `content/access-roles.yaml has ${roles.length} roles; grants are spread over those rather than 20 invented roles`,
      },
      seedSeconds,
      agreement: { sampled: SAMPLE, agree, allowed },
      sequential,
      get: rows,
      batch: {
        pairs: BATCH_PAIRS,
        runs: batchMs,
        medianMs: median(batchMs),
        route: { runs: routeBatchMs, medianMs: median(routeBatchMs) },
        afterLoad: { runs: afterLoadMs, medianMs: median(afterLoadMs) },
        afterChange: { runs: changedBatchMs, medianMs: median(changedBatchMs) },
      },
      writes,
      authzen: { ...authzen, ratioToCheck: authzenRatio, check: checkAt200, turns },
      openLoop,
      notes:
        "api is the decision listener (ACCESS_API_PORT), route the same check through next start's /api/v1/access/check. Both also authenticate the token, count the rate limit and log every decision (access_decisions) before answering; the baseline does none of these. frameworkHealth is GET /api/health on the same next start (one `select 1`, no auth): the most a route handler serves on this machine. listenerFloor is GET /api/health on the decision listener (a constant answer: no database, no token): the most any node:http server answers here with the load generator on the same cores. Load generator, servers and PostgreSQL share the machine.",
      totalSeconds: Math.round((Date.now() - started) / 1000),
    };
    mkdirSync("bench-results", { recursive: true });
    writeFileSync(path.join("bench-results", "access.json"), `${JSON.stringify(report, null, 2)}\n`);
    log(
      `wrote bench-results/access.json (${report.totalSeconds} s in all; 1-minute load average ${report.machine.loadAverage1m.atStart} at start, ${report.machine.loadAverage1m.atEnd} at end, on ${report.machine.cpus} CPUs)`,
    );
    return agree === SAMPLE ? 0 : 1;
  } finally {
    await Promise.all([app?.stop(), stopProcess(baseline)]);
  }
}
