import "server-only";

import { sql } from "drizzle-orm";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

import { getHandle, POSTGRES_POOL_MAX } from "@/db/client";
import { selectRows } from "@/db/rows";
import { applicationName, instanceId } from "@/lib/instance";

/**
 * The process's Prometheus metrics, served at /metrics (app/metrics/route.ts).
 * One registry per process, kept on globalThis: route handlers, Server
 * Actions, the instrumentation hook and the decision listener are bundled
 * apart, and each must count into the same one. Labels are codes and route
 * templates, never ids or addresses, so the series stay few.
 */

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function create() {
  const registry = new Registry();
  registry.setDefaultLabels({ instance_id: instanceId() });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: "http_request_duration_seconds",
      help: "Time to answer a request, by route template, method, status and server (app: route handlers; listener: the decision listener).",
      labelNames: ["route", "method", "status", "server"] as const,
      buckets: DURATION_BUCKETS,
      registers: [registry],
    }),
    accessDecisions: new Counter({
      name: "access_decisions_total",
      help: "Access decisions logged, by result (allow, deny, error) and the first reason code (none when allowed).",
      labelNames: ["result", "reason"] as const,
      registers: [registry],
    }),
    accessFactsPairs: new Counter({
      name: "access_facts_pairs_total",
      help: "(person, role) pairs whose facts an access check needed, by where they came from: the facts cache (held) or the database (read).",
      labelNames: ["source"] as const,
      registers: [registry],
    }),
    decisionLogWrite: new Histogram({
      name: "decision_log_write_seconds",
      help: "Time of one decision-log INSERT (a group commit of one or more decisions).",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    outboxFailures: new Counter({
      name: "outbox_failures_total",
      help: "Failed deliveries, by queue (email, webhook, xapi) and outcome (retried later, or failed for good).",
      labelNames: ["queue", "outcome"] as const,
      registers: [registry],
    }),
    outboxDepth: new Gauge({
      name: "outbox_queue_depth",
      help: "Messages waiting or being sent, by queue (email, webhook, xapi); read from the database at scrape.",
      labelNames: ["queue"] as const,
      registers: [registry],
      async collect() {
        const counts = await outboxCounts();
        if (counts) for (const [queue, n] of Object.entries(counts)) this.set({ queue }, n);
      },
    }),
    schedulerRun: new Histogram({
      name: "scheduler_run_seconds",
      help: "Time of each scheduled step, by job (imports, reminders, emails, …), and of the whole tick (job=tick).",
      labelNames: ["job", "outcome"] as const,
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
    signinFailures: new Counter({
      name: "signin_failures_total",
      help: "Failed sign-ins, by method (password, passkey) and reason code (wrong_password, unknown_account, wrong_mfa_code, throttled, …).",
      labelNames: ["method", "reason"] as const,
      registers: [registry],
    }),
    signinLockouts: new Counter({
      name: "signin_lockouts_total",
      help: "Sign-in lockouts started, by scope (account or ip).",
      labelNames: ["scope"] as const,
      registers: [registry],
    }),
    dbPoolMax: new Gauge({
      name: "db_pool_max",
      help: "The most database connections this process opens (postgres.js pool size; 1 for the embedded database).",
      labelNames: ["driver"] as const,
      registers: [registry],
      async collect() {
        const handle = await openHandle();
        if (handle) this.set({ driver: handle.driver }, handle.driver === "postgres" ? POSTGRES_POOL_MAX : 1);
      },
    }),
    dbPoolConnections: new Gauge({
      name: "db_pool_connections",
      help: "This process's open PostgreSQL connections by state (active: in use, idle), from pg_stat_activity.",
      labelNames: ["state"] as const,
      registers: [registry],
      async collect() {
        const counts = await poolCounts();
        if (counts) for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
      },
    }),
  };
}

export type Metrics = ReturnType<typeof create>;

const processState = globalThis as unknown as { __clearanceMetrics?: Metrics };

export function metrics(): Metrics {
  processState.__clearanceMetrics ??= create();
  return processState.__clearanceMetrics;
}

/** Seconds since `started` (a performance.now() reading). */
export const secondsSince = (started: number) => (performance.now() - started) / 1000;

/** The database handle if one is open or opens; never throws at scrape. */
async function openHandle() {
  try {
    return await getHandle();
  } catch {
    return null;
  }
}

async function outboxCounts(): Promise<Record<string, number> | null> {
  const handle = await openHandle();
  if (!handle) return null;
  try {
    const [row] = await selectRows<{ email: number | string; webhook: number | string; xapi: number | string }>(
      handle.db,
      sql`select (select count(*) from outbox where status in ('queued', 'sending')) as email,
                 (select count(*) from webhook_deliveries where status in ('pending', 'sending')) as webhook,
                 (select count(*) from xapi_statements where status in ('queued', 'sending')) as xapi`,
    );
    return { email: Number(row.email), webhook: Number(row.webhook), xapi: Number(row.xapi) };
  } catch {
    return null;
  }
}

async function poolCounts(): Promise<Record<string, number> | null> {
  const handle = await openHandle();
  if (!handle || handle.driver !== "postgres") return null;
  try {
    const rows = await selectRows<{ state: string | null; n: number | string }>(
      handle.db,
      sql`select coalesce(state, 'unknown') as state, count(*) as n from pg_stat_activity
           where application_name = ${applicationName()} group by 1`,
    );
    const counts: Record<string, number> = { active: 0, idle: 0 };
    // In use: running a statement or holding a transaction open.
    for (const row of rows) counts[row.state === "idle" ? "idle" : "active"] += Number(row.n);
    return counts;
  } catch {
    return null;
  }
}
