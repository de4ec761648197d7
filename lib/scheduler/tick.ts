import "server-only";

import { getDb } from "@/db/client";
import { detectAccessLapses, detectExpiredCertifications } from "@/lib/access/lapses";
import { ensureHourlyCheckpoint } from "@/lib/audit/checkpoints";
import { refreshContent } from "@/lib/content/published";
import { runEvidencePacks } from "@/lib/evidence/packs";
import { log } from "@/lib/log";
import { metrics, secondsSince } from "@/lib/metrics";
import { sendDueDigests } from "@/lib/notify/digests";
import { emailChannel } from "@/lib/notify/email-channel";
import { deliverDue } from "@/lib/outbox/worker";
import { runImportJobs } from "@/lib/people/import-jobs";
import { applyRetention } from "@/lib/privacy/retention";
import { MINUTE } from "@/lib/time";
import { syncAssignments } from "@/lib/training/assignments";
import { webhookChannel } from "@/lib/webhooks/webhook-channel";
import { lrsChannel } from "@/lib/xapi/lrs-channel";

import { queueReminders } from "./reminders";
import { claimHour, claimSweep, EVERYONE } from "./sweep";

/** `stepMs`: how long each step took, so an operator (and the scale benchmark) sees which one a slow run spent its time in. */
export type TickReport = {
  at: string;
  ms: number;
  steps: Record<string, unknown>;
  stepMs: Record<string, number>;
  errors: string[];
};

/**
 * All scheduled work, idempotent: people import jobs, evidence packs, assignments and renewals, reminders and
 * escalations, the digests that are due, access lapses, the retention policy (once an hour), the hour's signed audit
 * checkpoint, then email and webhook delivery (lib/outbox). Every step is
 * safe to run twice or on two workers at once (dedupe keys, conditional
 * updates, SKIP LOCKED), and a failing step does not stop the others.
 */
const SLOW_TICK_MS = 5_000;

export async function tick(now = new Date()): Promise<TickReport> {
  const started = performance.now();
  const db = await getDb();
  const steps: Record<string, unknown> = {};
  const stepMs: Record<string, number> = {};
  const errors: string[] = [];
  const runTime = metrics().schedulerRun;
  const run = async (name: string, work: () => Promise<unknown>) => {
    const stepStarted = performance.now();
    try {
      steps[name] = await work();
      runTime.observe({ job: name, outcome: "ok" }, secondsSince(stepStarted));
    } catch (error) {
      runTime.observe({ job: name, outcome: "error" }, secondsSince(stepStarted));
      errors.push(`${name}: ${error instanceof Error ? error.name : "error"}`);
      log().error({ err: error, step: name }, "scheduled step failed");
    }
    stepMs[name] = Math.round(performance.now() - stepStarted);
  };
  // The organisation's latest published courses and agreements, so every step below works from them.
  await run("content", () => refreshContent(db));
  // Imports first: a file applied here has its welcomes queued before the reminders look at its people.
  await run("imports", () => runImportJobs({ db }));
  // The per-person steps sweep this run's slice of people: everyone, unless the organisation is larger than one slice.
  let sweep = EVERYONE;
  await run("sweep", async () => {
    sweep = await claimSweep(db, now);
    return { slice: sweep.slice, slices: sweep.slices };
  });
  await run("assignments", () => syncAssignments(db, { now, sweep }));
  await run("reminders", () => queueReminders(db, now, { sweep }));
  await run("digests", () => sendDueDigests(db, now));
  await run("lapses", () => detectAccessLapses(db, now, { sweep }));
  await run("expiredCertifications", () => detectExpiredCertifications(db, now));
  // Retention periods are days to years: once an hour is enough, and spares every other run a scan of the large tables.
  await run("retention", async () =>
    (await claimHour(db, "retention", now)) ? applyRetention(db, now) : { skipped: "ran this hour" },
  );
  await run("auditCheckpoint", () => ensureHourlyCheckpoint(db, now));
  await run("evidencePacks", () => runEvidencePacks({ db }));
  await run("emails", () => deliverDue(emailChannel(), { now }));
  // The report counts webhooks as `delivered`, the word of their status and of the admin screen.
  await run("webhooks", async () => {
    const { sent, ...counts } = await deliverDue(webhookChannel(), { now });
    return { delivered: sent, ...counts };
  });
  await run("xapi", () => deliverDue(lrsChannel(), { now }));
  runTime.observe({ job: "tick", outcome: errors.length ? "error" : "ok" }, secondsSince(started));
  const ms = Math.round(performance.now() - started);
  // A run that takes seconds delays the requests waiting on the database: say which steps it spent them in.
  // As one "step=ms" string: a field named like personal data ("emails") would be redacted.
  const timings = Object.entries(stepMs).map(([step, took]) => `${step}=${took}`);
  if (ms >= SLOW_TICK_MS) log().warn({ ms, stepTimes: timings.join(" ") }, "scheduler run was slow");
  return { at: now.toISOString(), ms, steps, stepMs, errors };
}

const globalForTick = globalThis as unknown as {
  __clearanceTick?: { timer: NodeJS.Timeout; first: NodeJS.Timeout; current: Promise<void> | null };
};

/** The embedded default: tick every minute inside the server process. */
export function startInProcessScheduler(intervalMs = MINUTE): void {
  if (globalForTick.__clearanceTick) return;
  const once = () => {
    if (state.current) return;
    state.current = tick()
      .then(
        () => undefined,
        (error: unknown) =>
          console.error("[clearance] scheduled tick failed:", error instanceof Error ? error.name : "unknown"),
      )
      .finally(() => (state.current = null));
  };
  const state = {
    current: null as Promise<void> | null,
    timer: setInterval(once, intervalMs),
    first: setTimeout(once, 5_000),
  };
  state.timer.unref();
  state.first.unref();
  globalForTick.__clearanceTick = state;
}

/** At shutdown: no further ticks; resolves when the one running (if any) has finished. */
export async function stopInProcessScheduler(): Promise<void> {
  const state = globalForTick.__clearanceTick;
  if (!state) return;
  clearInterval(state.timer);
  clearTimeout(state.first);
  await state.current?.catch(() => undefined);
}
