import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";

import { eq } from "drizzle-orm";
import postgres from "postgres";
import { SMTPServer } from "smtp-server";

import { openDatabase, setDatabaseForTests, type Db } from "@/db/client";
import { people, webhookEventTypes } from "@/db/schema";
import { sampleProps } from "@/emails/samples";
import { createApiClient, revokeApiClient } from "@/lib/access/api-clients";
import { issueConsentCode } from "@/lib/agreements/consent-check";
import { giveConsent, openSigning, signAsEmployee } from "@/lib/agreements/employee-agreements";
import type { AuditContext } from "@/lib/audit/record";
import type { Viewer } from "@/lib/auth/roles";
import { revokeSessionsOf } from "@/lib/auth/sessions";
import { THROTTLE } from "@/lib/auth/throttle";
import { childProcessEnv, configureEnvForScript, env } from "@/lib/env";
import { TOKEN_CACHE_MS } from "@/lib/http/api";
import { leaseSize } from "@/lib/http/rate-limit";
import { queueEmail } from "@/lib/notify/queue-email";
import { createSelfSignedP12 } from "@/lib/pdf/signing-identity";
import { verifySealedPdf } from "@/lib/pdf/verify-seal";
import { submitAttempt } from "@/lib/training/attempts";
import { enqueueWebhookEvent } from "@/lib/webhooks/enqueue";
import { createWebhook } from "@/lib/webhooks/manage-webhooks";

import { ensureProductionBuild, benchLog as log, startBenchApp, withBenchDatabase } from "./lib/bench-app";
import { createLearners, LEARNER_PASSWORD, prepareAttempts, type PreparedAttempt } from "./lib/bench-learners";
import { freePort } from "./lib/bench-load";
import { benchSettings } from "./lib/bench-settings";
import { checkAccessAcrossInstances } from "./lib/cluster-access";

/**
 * npm run test:cluster — Clearance as it is deployed: two `next start`
 * instances and two workers on one PostgreSQL database, behind a round-robin
 * proxy, with an SMTP sink and a webhook receiver on loopback. Checks, under
 * load, that sessions, tokens, rate limits, scheduled work, deliveries and
 * sealed PDFs behave as one application; that a rolling restart loses no
 * request and no acknowledged write; and (with --with-postgres-restart) that
 * the instances ride out a database restart by themselves. Each check prints
 * PASS or FAIL with its numbers; any FAIL makes the exit status 1.
 */

const withPostgresRestart = process.argv.includes("--with-postgres-restart");
const COURSE = "access-control-mfa";
const AGREEMENT = "employee-nda";
const ROLE = "customer-pii-read";
const SUBMISSIONS = 30;
const SIGNINGS = 8;
const EMAILS = 20;
const WEBHOOK_EVENTS = 20;
const WORKER_INTERVAL_SECONDS = 2;
const SHUTDOWN_DELAY_SECONDS = 2;
const HEALTH_EVERY_MS = 200;
const API_LIMIT = 60;
const CONTEXT = { actorId: null, actorLabel: "cluster-run", ip: "127.0.0.1", userAgent: "cluster-run" };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const results: { name: string; ok: boolean; detail: string }[] = [];
function check(name: string, ok: boolean, detail: string): void {
  results.push({ name, ok, detail });
  console.log(`${ok ? "PASS" : "FAIL"} ${name}: ${detail}`);
}
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

// ---------------------------------------------------------------- the proxy

type Backend = { name: string; port: number; ready: boolean; served: number };

/**
 * What a load balancer does: round-robin over the instances whose readiness
 * answers 200 (checked every HEALTH_EVERY_MS), X-Forwarded-For appended. A
 * request whose connection was refused (it never reached the instance) is
 * tried on the next one; any other failure is a failed request (502).
 */
function startProxy(backends: Backend[]) {
  const stats = { requests: 0, failed: 0, retriedRefused: 0, failures: [] as string[] };
  let next = 0;
  let checking = true;
  const probe = async () => {
    while (checking) {
      await Promise.all(
        backends.map(async (b) => {
          b.ready = (await probeReady(b.port)) === 200;
        }),
      );
      await sleep(HEALTH_EVERY_MS);
    }
  };
  const probing = probe();
  const order = () => {
    const ready = backends.filter((b) => b.ready);
    const pool = ready.length ? ready : backends;
    const first = next++ % pool.length;
    return [...pool.slice(first), ...pool.slice(0, first), ...backends.filter((b) => !pool.includes(b))];
  };
  const forward = (req: IncomingMessage, body: Buffer, backend: Backend) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const forwardedFor = [req.headers["x-forwarded-for"], req.socket.remoteAddress].filter(Boolean).join(", ");
      const out = httpRequest(
        {
          host: "127.0.0.1",
          port: backend.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, "x-forwarded-for": forwardedFor, connection: "close" },
          agent: false,
        },
        resolve,
      );
      out.on("error", reject);
      out.end(body);
    });
  const server = createServer(async (req, res) => {
    stats.requests++;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    let lastError = "";
    for (const backend of order()) {
      try {
        const answer = await forward(req, body, backend);
        backend.served++;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        return;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? "error";
        lastError = `${backend.name}: ${code}`;
        if (code !== "ECONNREFUSED") break;
        stats.retriedRefused++;
      }
    }
    stats.failed++;
    if (stats.failures.length < 10) stats.failures.push(`${req.method} ${req.url?.split("?")[0]} → ${lastError}`);
    res.writeHead(502).end();
  });
  return {
    stats,
    server,
    async close() {
      checking = false;
      await probing;
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** One readiness probe on a fresh connection, given up after a second (a load balancer's health check). */
function probeReady(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = httpRequest(
      { host: "127.0.0.1", port, path: "/api/health/ready", agent: false, timeout: 1000 },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", () => resolve(0));
      },
    );
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
    req.end();
  });
}

const listen = (server: Server | SMTPServer, port: number) =>
  new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()));

// ------------------------------------------------------- SMTP and webhooks

function startSmtpSink() {
  const messageIds: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, _session, callback) {
      let head = "";
      stream.on("data", (chunk: Buffer) => {
        if (head.length < 16_384) head += chunk.toString("latin1");
      });
      stream.on("end", () => {
        // Clearance's Message-ID is <outbox row id@APP_URL's host>.
        const id = /^message-id:\s*<([^@>]+)@[^>]*>/im.exec(head)?.[1];
        messageIds.push(id ?? "(none)");
        callback();
      });
    },
  });
  return { server, messageIds };
}

function startWebhookReceiver() {
  const deliveries: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      deliveries.push(String(req.headers["clearance-delivery"] ?? "(none)"));
      res.writeHead(204).end();
    });
  });
  return { server, deliveries };
}

// ------------------------------------------------------------------ workers

type Worker = {
  name: string;
  child: ChildProcess;
  ticks: number;
  tickErrors: string[];
  exited: Promise<number | null>;
};

function startWorker(name: string, settings: Record<string, string>): Worker {
  const child = spawn(
    path.join("node_modules", ".bin", "tsx"),
    ["--import", "./scripts/lib/server-only-hook.mjs", "scripts/worker.ts"],
    { env: childProcessEnv(settings), detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  const worker: Worker = {
    name,
    child,
    ticks: 0,
    tickErrors: [],
    exited: new Promise((resolve) => child.once("exit", (code) => resolve(code))),
  };
  createInterface({ input: child.stdout! }).on("line", (line) => {
    // The worker logs one JSON line per tick with its report (scripts/worker.ts).
    if (!line.startsWith("{")) return;
    const entry = JSON.parse(line) as { msg?: string; report?: { errors: string[] } };
    if (entry.msg !== "scheduled work ran" || !entry.report) return;
    worker.ticks++;
    worker.tickErrors.push(...entry.report.errors);
  });
  createInterface({ input: child.stderr! }).on("line", (line) => console.log(`[${name}] ${line}`));
  return worker;
}

// ------------------------------------------------------------ HTTP clients

const cookiesOf = (response: Response) => response.headers.getSetCookie().map((c) => c.split(";")[0]);

/** The credentials sign-in as a browser does it: the CSRF token and its cookie, then the form. `ip` stands for the client behind the proxy. */
async function signIn(origin: string, email: string, password: string, ip: string) {
  const csrf = await fetch(`${origin}/api/auth/csrf`, { headers: { "x-forwarded-for": ip } });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const response = await fetch(`${origin}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      cookie: cookiesOf(csrf).join("; "),
      "x-forwarded-for": ip,
    },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  const { url } = (await response.json().catch(() => ({}))) as { url?: string };
  const error = url ? new URL(url, origin).searchParams.get("error") : null;
  const session = cookiesOf(response).find((c) => c.startsWith("next-auth.session-token="));
  return { error, cookie: session ?? null };
}

async function status(url: string, init: RequestInit = {}): Promise<number> {
  const response = await fetch(url, { redirect: "manual", ...init });
  await response.arrayBuffer();
  return response.status;
}

const accessCheck = (origin: string, token: string, email: string) =>
  status(`${origin}/api/v1/access/check?user=${encodeURIComponent(email)}&role=${ROLE}`, {
    headers: { authorization: `Bearer ${token}` },
  });

/** Waits until a new fixed window (a minute) has at least `need` ms left, so a burst is counted in one window. */
async function roomInWindow(need: number) {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < need) await sleep(left + 200);
}

// --------------------------------------------------------------------- main

async function main(): Promise<number> {
  const started = Date.now();
  const work = mkdtempSync(path.join(os.tmpdir(), "clearance-cluster-"));
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    ensureProductionBuild();
    const { BENCH_DATABASE_URL } = benchSettings();
    return await withBenchDatabase(BENCH_DATABASE_URL, "clearance_cluster", (database) =>
      // Everything started is stopped before the database is dropped.
      run(database).finally(async () => {
        for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
      }),
    );
  } catch (error) {
    console.error(`[cluster] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  async function run(database: { url: string }): Promise<number> {
    const smtp = startSmtpSink();
    const receiver = startWebhookReceiver();
    const [smtpPort, receiverPort, proxyPort, portA, portB] = await Promise.all(
      Array.from({ length: 5 }, () => freePort()),
    );
    await listen(smtp.server, smtpPort);
    cleanups.push(() => new Promise((r) => smtp.server.close(() => r(undefined))));
    await listen(receiver.server, receiverPort);
    cleanups.push(() => new Promise((r) => receiver.server.close(r)));
    const proxyOrigin = `http://127.0.0.1:${proxyPort}`;

    // One set of settings for every process, as a deployment shares them.
    const passphrase = randomBytes(16).toString("hex");
    const p12Path = path.join(work, "seal.p12");
    writeFileSync(p12Path, createSelfSignedP12("Cluster run sealing", "Cluster run", passphrase), { mode: 0o600 });
    const shared = {
      NODE_ENV: "production",
      DATABASE_URL: database.url,
      DATA_DIR: work,
      APP_URL: proxyOrigin,
      NEXTAUTH_URL: proxyOrigin,
      NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
      DATA_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      AUDIT_CHAIN_KEY: randomBytes(32).toString("base64"),
      SIGNING_P12_PATH: p12Path,
      SIGNING_P12_PASSPHRASE: passphrase,
      SEAL_REVOCATION: "off",
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      WEBHOOK_ALLOW_PRIVATE_TARGETS: "true",
      TRUST_PROXY: "1",
      SCHEDULER: "off",
      SEED_DEMO: "false",
      LOG_LEVEL: "warn",
      NEXT_MANUAL_SIG_HANDLE: "true",
      SHUTDOWN_DELAY_SECONDS: String(SHUTDOWN_DELAY_SECONDS),
      SHUTDOWN_TIMEOUT_SECONDS: "20",
      WORKER_INTERVAL_SECONDS: String(WORKER_INTERVAL_SECONDS),
    };
    configureEnvForScript(shared);

    // ---- seed through lib/, as people would have got there
    const handle = await openDatabase({ url: database.url });
    setDatabaseForTests(handle);
    cleanups.push(async () => {
      setDatabaseForTests(undefined);
      await handle.close();
    });
    const db = handle.db;
    const [admin] = await createLearners(db, 1, "admin");
    await db
      .update(people)
      .set({ roles: ["employee", "compliance_admin"] })
      .where(eq(people.id, admin.id));
    const adminViewer: Viewer = { ...admin, roles: ["employee", "compliance_admin"] };
    const adminContext = { ...CONTEXT, actorId: admin.id, actorLabel: admin.email };
    const members = await createLearners(db, 2, "member");
    const attempts = await prepareAttempts(db, await createLearners(db, SUBMISSIONS + 1, "learner"), COURSE);
    const certificateAttempt = attempts.pop()!;
    const signers = await createLearners(db, SIGNINGS + 1, "signer");
    const ceremonies: { viewer: Viewer; ceremonyId: string }[] = [];
    for (const viewer of signers) {
      const { ceremony } = await openSigning(viewer, AGREEMENT, "127.0.0.1");
      const consentCode = await issueConsentCode(ceremony.id);
      await giveConsent(viewer, { ...CONTEXT, actorId: viewer.id }, AGREEMENT, ceremony.id, consentCode);
      ceremonies.push({ viewer, ceremonyId: ceremony.id });
    }
    const artefactCeremony = ceremonies.pop()!;
    await createWebhook(adminViewer, adminContext, {
      url: `http://127.0.0.1:${receiverPort}/hook`,
      eventTypes: [...webhookEventTypes],
    });
    for (let i = 0; i < WEBHOOK_EVENTS; i++)
      await db.transaction((tx) => enqueueWebhookEvent(tx, "access.granted", `cluster-${i}`, { n: i }));
    for (let i = 0; i < EMAILS; i++)
      await queueEmail(db, {
        kind: "nudge",
        props: sampleProps.nudge,
        to: { email: members[i % members.length].email, personId: members[i % members.length].id },
        dedupeKey: `nudge:cluster:${i}`,
      });
    const loadToken = (
      await createApiClient(adminViewer, adminContext, {
        name: "load",
        scopes: ["access:check"],
        rateLimitPerMinute: 1_000_000,
      })
    ).token;
    log(
      `seeded: ${attempts.length} quiz attempts, ${ceremonies.length} signing ceremonies, ${EMAILS} e-mails and ${WEBHOOK_EVENTS} webhook events queued`,
    );

    // ---- the deployment
    const proxyBackends: Backend[] = [
      { name: "A", port: portA, ready: false, served: 0 },
      { name: "B", port: portB, ready: false, served: 0 },
    ];
    const proxy = startProxy(proxyBackends);
    await listen(proxy.server, proxyPort);
    cleanups.push(() => proxy.close());
    const startInstance = (name: string, port: number) =>
      startBenchApp(database.url, { port, env: shared, label: name });
    const bootStarted = Date.now();
    const instances = Object.fromEntries(
      (await Promise.all([startInstance("A", portA), startInstance("B", portB)])).map((app, i) => [i ? "B" : "A", app]),
    ) as Record<"A" | "B", Awaited<ReturnType<typeof startInstance>>>;
    cleanups.push(() => Promise.all([instances.A.stop(), instances.B.stop()]));
    // Workers log at info: one line per tick with its report, which the checks below read.
    const workers = [
      startWorker("worker-1", { ...shared, LOG_LEVEL: "info" }),
      startWorker("worker-2", { ...shared, LOG_LEVEL: "info" }),
    ];
    cleanups.push(() =>
      Promise.all(
        workers.map(async (w) => {
          if (w.child.exitCode === null) process.kill(-w.child.pid!, "SIGTERM");
          await w.exited;
        }),
      ),
    );
    const A = instances.A.origin;
    const B = instances.B.origin;
    log(
      `two instances (A ${A}, B ${B}) ready in ${seconds(Date.now() - bootStarted)}, two workers ticking every ${WORKER_INTERVAL_SECONDS} s, proxy ${proxyOrigin}`,
    );
    log(
      "the proxy routes round-robin to instances whose /api/health/ready answers 200 (probed every 200 ms) and retries a request on the other instance only when its connection was refused (ECONNREFUSED: it never reached an instance), as a load balancer with health checks does",
    );

    await checkSessionsAndTokens(A, B, db, members[0], adminViewer, adminContext);
    await checkRateLimits(A, B, adminViewer, adminContext, members[1]);
    await checkAccessAcrossInstances({ A, B }, db, members[0], ROLE, loadToken, check);
    await checkArtefacts(A, B, db, certificateAttempt, artefactCeremony);
    await rollingRestart({
      proxyOrigin,
      database: database.url,
      token: loadToken,
      attempts,
      ceremonies,
      emails: attempts.map((a) => a.viewer.email),
      restart: async (name) => {
        const app = instances[name];
        const exited = new Promise<number | null>((resolve) => app.process.once("exit", (code) => resolve(code)));
        const sent = Date.now();
        process.kill(-app.process.pid!, "SIGTERM");
        const code = await exited;
        const stoppedMs = Date.now() - sent;
        log(`${name} exited with ${code} ${seconds(stoppedMs)} after SIGTERM`);
        await app.stop();
        const back = Date.now();
        instances[name] = await startInstance(name, name === "A" ? portA : portB);
        log(`${name} restarted; waiting for the proxy to see it ready`);
        const backend = proxyBackends.find((b) => b.name === name)!;
        while (!backend.ready) {
          if (Date.now() - back > 60_000) throw new Error(`the proxy never saw ${name} ready again`);
          await sleep(50);
        }
        return { code, stoppedMs, restartMs: Date.now() - back };
      },
      proxyStats: proxy.stats,
    });
    await checkDeliveries(database.url, workers, smtp.messageIds, receiver.deliveries);
    if (withPostgresRestart) await checkPostgresRestart(A, B, proxyOrigin, loadToken, attempts[0].viewer.email);
    else log("PostgreSQL restart skipped (pass --with-postgres-restart to run it)");

    const failed = results.filter((r) => !r.ok);
    log(
      `${results.length - failed.length} of ${results.length} checks passed in ${seconds(Date.now() - started)}${failed.length ? `; FAILED: ${failed.map((f) => f.name).join(", ")}` : ""}`,
    );
    return failed.length ? 1 : 0;
  }
}

// ------------------------------------------------------------------- checks

async function checkSessionsAndTokens(
  A: string,
  B: string,
  db: Db,
  member: Viewer,
  adminViewer: Viewer,
  adminContext: AuditContext,
) {
  // A session opened on A is honoured by B; revoked (lib, as "sign out everywhere" does), neither honours it.
  const { cookie, error } = await signIn(A, member.email, LEARNER_PASSWORD, "198.51.100.10");
  const page = (origin: string) => status(`${origin}/dashboard`, { headers: cookie ? { cookie } : {} });
  const before = { A: await page(A), B: await page(B) };
  await revokeSessionsOf(db, member.id, "signed_out_everywhere");
  const after = { A: await page(A), B: await page(B) };
  check(
    "session across instances",
    Boolean(cookie) && before.A === 200 && before.B === 200 && after.A !== 200 && after.B !== 200,
    `signed in on A (${cookie ? "cookie set" : `no cookie, error ${error}`}); /dashboard with it: A ${before.A}, B ${before.B}; after revoking the session: A ${after.A}, B ${after.B} (the documented window is the next request)`,
  );

  // An API token: accepted by both; revoked through lib/ (this process is neither instance), refused by both once TOKEN_CACHE_MS has passed.
  const { id, token } = await createApiClient(adminViewer, adminContext, {
    name: "revoke-me",
    scopes: ["access:check"],
  });
  const ok = { A: await accessCheck(A, token, member.email), B: await accessCheck(B, token, member.email) };
  await revokeApiClient(adminViewer, adminContext, id);
  const revokedAt = Date.now();
  let refusedAfterMs = -1;
  while (Date.now() - revokedAt < TOKEN_CACHE_MS + 3000) {
    const [a, b] = await Promise.all([accessCheck(A, token, member.email), accessCheck(B, token, member.email)]);
    if (a === 401 && b === 401) {
      refusedAfterMs = Date.now() - revokedAt;
      break;
    }
    await sleep(250);
  }
  await sleep(500);
  const stillRefused = [await accessCheck(A, token, member.email), await accessCheck(B, token, member.email)];
  check(
    "API token revocation across instances",
    ok.A === 200 &&
      ok.B === 200 &&
      refusedAfterMs >= 0 &&
      refusedAfterMs <= TOKEN_CACHE_MS + 500 &&
      stillRefused.every((s) => s === 401),
    `before: A ${ok.A}, B ${ok.B}; refused (401) by both ${refusedAfterMs >= 0 ? `${refusedAfterMs} ms` : "never"} after the revocation (documented window: TOKEN_CACHE_MS = ${TOKEN_CACHE_MS} ms, waited out)`,
  );
}

async function checkRateLimits(A: string, B: string, adminViewer: Viewer, adminContext: AuditContext, member: Viewer) {
  // Sign-in: wrong passwords for one account, from many addresses, half to A and half to B, all at once.
  const tries = 20;
  const outcomes = await Promise.all(
    Array.from({ length: tries }, (_, i) =>
      signIn(i % 2 ? B : A, member.email, "wrong-password", `203.0.113.${10 + i}`).then((r) => r.error ?? "none"),
    ),
  );
  const checked = outcomes.filter((e) => e === "CredentialsSignin" || e === "invalid_credentials").length;
  const locked = outcomes.filter((e) => e.startsWith("locked")).length;
  const right = await signIn(A, member.email, LEARNER_PASSWORD, "203.0.113.99");
  check(
    "sign-in lockout across instances",
    checked === THROTTLE.accountFailures && locked === tries - checked && !right.cookie,
    `${tries} wrong passwords at once, split A/B: ${checked} checked, ${locked} refused as locked (threshold ${THROTTLE.accountFailures}, tolerance 0: each try takes its slot in one statement); the right password afterwards: ${right.cookie ? "signed in" : `refused (${right.error})`}; outcomes ${JSON.stringify(count(outcomes))}`,
  );

  // Per-address limit: one address, many accounts, split A/B.
  const ipLimit = env().SIGN_IN_IP_FAILURES;
  const ipTries = ipLimit + 10;
  const ipOutcomes = await Promise.all(
    Array.from({ length: ipTries }, (_, i) =>
      signIn(i % 2 ? B : A, `nobody${i}@cluster.example`, "wrong-password", "192.0.2.77").then(
        (r) => r.error ?? "none",
      ),
    ),
  );
  const ipChecked = ipOutcomes.filter((e) => !e.startsWith("locked")).length;
  check(
    "sign-in address limit across instances",
    ipChecked === ipLimit,
    `${ipTries} failures from one address at once, split A/B: ${ipChecked} checked before the pause (SIGN_IN_IP_FAILURES ${ipLimit}, tolerance 0)`,
  );

  // API: a token allowed API_LIMIT a minute, twice that many requests at once, split A/B.
  const { token } = await createApiClient(adminViewer, adminContext, {
    name: "rate-limited",
    scopes: ["access:check"],
    rateLimitPerMinute: API_LIMIT,
  });
  await roomInWindow(20_000);
  const answers = await Promise.all(
    Array.from({ length: API_LIMIT * 2 }, (_, i) => accessCheck(i % 2 ? B : A, token, member.email)),
  );
  const allowed = answers.filter((s) => s === 200).length;
  const limited = answers.filter((s) => s === 429).length;
  // lib/http/rate-limit.ts: each instance answers from a lease of the window's quota taken with a conditional statement,
  // so together they never pass the limit; quota the other instance holds unused (at most a lease) can refuse early.
  const shortBy = leaseSize(API_LIMIT);
  check(
    "API rate limit across instances",
    allowed <= API_LIMIT && allowed >= API_LIMIT - shortBy && allowed + limited === answers.length,
    `${answers.length} requests at once with a ${API_LIMIT}/minute token, split A/B: ${allowed} answered, ${limited} refused with 429; stated tolerance: never over the limit, at most ${shortBy} under it (one lease of quota the other instance may hold unused)`,
  );
}

const count = (values: string[]) =>
  values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [v]: (acc[v] ?? 0) + 1 }), {});

async function checkArtefacts(
  A: string,
  B: string,
  db: Db,
  attempt: PreparedAttempt,
  ceremony: { viewer: Viewer; ceremonyId: string },
) {
  // A certificate, sealed by A on its first download, downloaded again through B: the same file, and its seal verifies.
  await submitAttempt(attempt.viewer, { ...CONTEXT, actorId: attempt.viewer.id }, attempt.attemptId, attempt.answers);
  const [cert] = await db.query.certifications.findMany({
    where: (c, { eq: is }) => is(c.attemptId, attempt.attemptId),
    columns: { id: true },
  });
  const { cookie } = await signIn(A, attempt.viewer.email, LEARNER_PASSWORD, "198.51.100.20");
  const download = async (origin: string, url: string) => {
    const response = await fetch(`${origin}${url}`, { headers: cookie ? { cookie } : {}, redirect: "manual" });
    return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) };
  };
  const fromA = await download(A, `/certificates/${cert?.id}`);
  const fromB = await download(B, `/certificates/${cert?.id}`);
  const seal = verifySealedPdf(fromB.bytes);
  check(
    "certificate sealed on A, downloaded from B",
    fromA.status === 200 &&
      fromB.status === 200 &&
      fromA.bytes.equals(fromB.bytes) &&
      seal.signed &&
      seal.intact &&
      seal.coversWholeDocument,
    `A ${fromA.status} (${fromA.bytes.length} bytes), B ${fromB.status} (${fromB.bytes.length} bytes), identical: ${fromA.bytes.equals(fromB.bytes)}, seal signed ${seal.signed}, intact ${seal.intact}, covers the whole file ${seal.coversWholeDocument}`,
  );

  // A signed agreement (sealed by the Server Action's code in lib/, with the shared key and certificate), downloaded through A and B.
  const { signatureId } = await signAsEmployee(
    ceremony.viewer,
    { ...CONTEXT, actorId: ceremony.viewer.id },
    {
      agreementId: AGREEMENT,
      ceremonyId: ceremony.ceremonyId,
      password: LEARNER_PASSWORD,
      typedName: ceremony.viewer.name,
    },
  );
  const signer = await signIn(A, ceremony.viewer.email, LEARNER_PASSWORD, "198.51.100.21");
  const get = async (origin: string) => {
    const response = await fetch(`${origin}/agreements/documents/${signatureId}`, {
      headers: signer.cookie ? { cookie: signer.cookie } : {},
      redirect: "manual",
    });
    return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) };
  };
  const [docA, docB] = [await get(A), await get(B)];
  const docSeal = verifySealedPdf(docB.bytes);
  check(
    "signed agreement downloaded from both instances",
    docA.status === 200 &&
      docB.status === 200 &&
      docA.bytes.equals(docB.bytes) &&
      docSeal.signed &&
      docSeal.intact &&
      docSeal.coversWholeDocument,
    `A ${docA.status}, B ${docB.status} (${docB.bytes.length} bytes), identical: ${docA.bytes.equals(docB.bytes)}, seal signed ${docSeal.signed}, intact ${docSeal.intact}, covers the whole file ${docSeal.coversWholeDocument}`,
  );
}

async function rollingRestart(run: {
  proxyOrigin: string;
  database: string;
  token: string;
  attempts: PreparedAttempt[];
  ceremonies: { viewer: Viewer; ceremonyId: string }[];
  emails: string[];
  restart: (name: "A" | "B") => Promise<{ code: number | null; stoppedMs: number; restartMs: number }>;
  proxyStats: { requests: number; failed: number; retriedRefused: number; failures: string[] };
}) {
  const sql = postgres(run.database, { max: 2, onnotice: () => {} });
  const [{ before }] = await sql<{ before: number }[]>`select count(*)::int as before from access_decisions`;
  const proxyBefore = { ...run.proxyStats };
  let stop = false;
  let answered = 0;
  const failedChecks: string[] = [];
  // Access checks through the proxy, four at a time, for the whole restart.
  const checks = Promise.all(
    Array.from({ length: 4 }, async (_, lane) => {
      for (let i = lane; !stop; i += 4) {
        const s = await accessCheck(run.proxyOrigin, run.token, run.emails[i % run.emails.length]).catch(() => -1);
        if (s === 200) answered++;
        else if (failedChecks.length < 10) failedChecks.push(String(s));
        else failedChecks.push("…");
      }
    }),
  );
  // Writes through lib/, spread over the restart, each acknowledgement recorded.
  const acked = { attempts: [] as string[], signatures: [] as string[] };
  const writeErrors: string[] = [];
  const jobs: (() => Promise<void>)[] = [
    ...run.attempts.map((a) => async () => {
      await submitAttempt(a.viewer, { ...CONTEXT, actorId: a.viewer.id }, a.attemptId, a.answers);
      acked.attempts.push(a.attemptId);
    }),
    ...run.ceremonies.map((c) => async () => {
      const { signatureId } = await signAsEmployee(
        c.viewer,
        { ...CONTEXT, actorId: c.viewer.id },
        { agreementId: AGREEMENT, ceremonyId: c.ceremonyId, password: LEARNER_PASSWORD, typedName: c.viewer.name },
      );
      acked.signatures.push(signatureId);
    }),
  ];
  const writes = (async () => {
    for (const job of jobs) {
      await job().catch((e: Error) => writeErrors.push(e.message));
      await sleep(250);
    }
  })();

  const started = Date.now();
  const steps = [];
  for (const name of ["A", "B"] as const) {
    await sleep(1500);
    const step = await run.restart(name);
    steps.push(
      `${name}: SIGTERM → exit ${step.code} in ${seconds(step.stoppedMs)}, back and ready in ${seconds(step.restartMs)}`,
    );
  }
  log("both restarted; waiting for the writes to finish");
  await writes;
  await sleep(1000);
  stop = true;
  await checks;
  const proxied = run.proxyStats.requests - proxyBefore.requests;
  const failed = run.proxyStats.failed - proxyBefore.failed;
  const refused = run.proxyStats.retriedRefused - proxyBefore.retriedRefused;
  const exitCodes = steps.every((s) => s.includes("exit 0 "));
  check(
    "rolling restart: instances drain and exit 0",
    exitCodes,
    `${steps.join("; ")} (SHUTDOWN_DELAY_SECONDS ${SHUTDOWN_DELAY_SECONDS}), ${seconds(Date.now() - started)} in all`,
  );
  check(
    "rolling restart: zero failed requests",
    failed === 0 && failedChecks.length === 0,
    `${proxied} requests through the proxy, ${answered} access checks answered 200, ${failed} failed at the proxy${run.proxyStats.failures.length ? ` (${run.proxyStats.failures.join("; ")})` : ""}, ${failedChecks.length} non-200 answers${failedChecks.length ? ` (${failedChecks.join(", ")})` : ""}, ${refused} refused connections retried on the other instance`,
  );

  // Every acknowledged write is there, and every answered check was logged (the log is written in batches: give it a moment).
  const attemptsFound = await sql<{ id: string }[]>`
    select id from quiz_attempts where status = 'submitted' and id = any(${acked.attempts}::uuid[])`;
  const signaturesFound = await sql<{ id: string }[]>`
    select id from signatures where outcome = 'signed' and id = any(${acked.signatures}::uuid[])`;
  let logged = 0;
  for (let i = 0; i < 20; i++) {
    const [{ total }] = await sql<{ total: number }[]>`select count(*)::int as total from access_decisions`;
    logged = total - before;
    if (logged >= answered) break;
    await sleep(250);
  }
  await sql.end({ timeout: 5 });
  check(
    "rolling restart: zero lost writes",
    attemptsFound.length === acked.attempts.length &&
      signaturesFound.length === acked.signatures.length &&
      logged >= answered &&
      writeErrors.length === 0 &&
      acked.attempts.length === run.attempts.length &&
      acked.signatures.length === run.ceremonies.length,
    `${acked.attempts.length}/${run.attempts.length} quiz submissions and ${acked.signatures.length}/${run.ceremonies.length} signatures acknowledged, ${attemptsFound.length} and ${signaturesFound.length} found; ${answered} checks answered, ${logged} decision-log rows written meanwhile${writeErrors.length ? `; write errors: ${writeErrors.slice(0, 3).join("; ")}` : ""}`,
  );
}

async function checkDeliveries(database: string, workers: Worker[], messageIds: string[], deliveries: string[]) {
  const sql = postgres(database, { max: 1, onnotice: () => {} });
  // Everything queued so far (the batch, the sign-ins' and signatures' messages) is delivered by the workers' next ticks.
  const deadline = Date.now() + 30_000;
  let pending = { emails: -1, webhooks: -1 };
  while (Date.now() < deadline) {
    const [row] = await sql<{ emails: number; webhooks: number }[]>`
      select (select count(*)::int from outbox where status not in ('sent', 'failed')) as emails,
             (select count(*)::int from webhook_deliveries where status not in ('delivered', 'failed')) as webhooks`;
    pending = row;
    if (row.emails === 0 && row.webhooks === 0 && workers.every((w) => w.ticks >= 3)) break;
    await sleep(500);
  }
  await sleep(WORKER_INTERVAL_SECONDS * 1000 + 500); // one more tick each: a second delivery would show now
  const sent = await sql<{ id: string }[]>`select id from outbox where status = 'sent'`;
  const failedEmails = await sql<{ id: string }[]>`select id from outbox where status = 'failed'`;
  const delivered = await sql<{ id: string }[]>`select id from webhook_deliveries where status = 'delivered'`;
  const failedHooks = await sql<{ id: string }[]>`select id from webhook_deliveries where status = 'failed'`;
  const checkpoints = await sql<{ hour: string; n: number }[]>`
    select coalesce(slot, 'unslotted') as hour, count(*)::int as n from audit_checkpoints where trigger = 'scheduled' group by 1`.catch(
    () => [] as { hour: string; n: number }[],
  );
  await sql.end({ timeout: 5 });

  const ticks = workers.map((w) => `${w.name} ${w.ticks} ticks`).join(", ");
  const tickErrors = workers.flatMap((w) => w.tickErrors);
  const doubledCheckpoints = checkpoints.filter((c) => c.n > 1);
  check(
    "scheduler: every tick's work done once across both workers",
    workers.every((w) => w.ticks >= 3) &&
      tickErrors.length === 0 &&
      checkpoints.length >= 1 &&
      doubledCheckpoints.length === 0,
    `${ticks} (every ${WORKER_INTERVAL_SECONDS} s), ${tickErrors.length} step errors${tickErrors.length ? ` (${[...new Set(tickErrors)].join(", ")})` : ""}; scheduled audit checkpoints per hour slot: ${checkpoints.map((c) => c.n).join(", ") || "none"} (must be 1 each)`,
  );

  const atSink = count(messageIds);
  const sentIds = new Set(sent.map((r) => r.id));
  const emailDuplicates = Object.values(atSink).filter((n) => n > 1).length;
  const emailMissing = sent.filter((r) => !atSink[r.id]).length;
  const emailStrangers = Object.keys(atSink).filter((id) => !sentIds.has(id)).length;
  check(
    "every e-mail delivered exactly once",
    pending.emails === 0 &&
      failedEmails.length === 0 &&
      emailDuplicates === 0 &&
      emailMissing === 0 &&
      emailStrangers === 0 &&
      sent.length >= EMAILS,
    `${sent.length} outbox messages sent (${EMAILS} queued by the run, the rest by the app), ${messageIds.length} received by the SMTP sink: ${emailDuplicates} duplicated, ${emailMissing} missing, ${emailStrangers} unknown, ${failedEmails.length} failed, ${Math.max(0, pending.emails)} still pending`,
  );

  const atReceiver = count(deliveries);
  const deliveredIds = new Set(delivered.map((r) => r.id));
  const hookDuplicates = Object.values(atReceiver).filter((n) => n > 1).length;
  const hookMissing = delivered.filter((r) => !atReceiver[r.id]).length;
  const hookStrangers = Object.keys(atReceiver).filter((id) => !deliveredIds.has(id)).length;
  check(
    "every webhook delivered exactly once",
    pending.webhooks === 0 &&
      failedHooks.length === 0 &&
      hookDuplicates === 0 &&
      hookMissing === 0 &&
      hookStrangers === 0 &&
      delivered.length >= WEBHOOK_EVENTS,
    `${delivered.length} deliveries recorded delivered (${WEBHOOK_EVENTS} queued by the run, the rest from signatures), ${deliveries.length} received: ${hookDuplicates} duplicated, ${hookMissing} missing, ${hookStrangers} unknown, ${failedHooks.length} failed, ${Math.max(0, pending.webhooks)} still pending`,
  );
}

async function checkPostgresRestart(A: string, B: string, proxyOrigin: string, token: string, email: string) {
  const [version] = readdirSync("/etc/postgresql").sort().reverse();
  const seen = { A: { ready503: 0, live: new Set<number>() }, B: { ready503: 0, live: new Set<number>() } };
  let watching = true;
  const watch = Promise.all(
    (["A", "B"] as const).map(async (name) => {
      const origin = name === "A" ? A : B;
      while (watching) {
        const [ready, live] = await Promise.all([
          status(`${origin}/api/health/ready`, { signal: AbortSignal.timeout(2000) }).catch(() => -1),
          status(`${origin}/api/health/live`, { signal: AbortSignal.timeout(2000) }).catch(() => -1),
        ]);
        if (ready === 503) seen[name].ready503++;
        seen[name].live.add(live);
        await sleep(50);
      }
    }),
  );
  const restarted = Date.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn("pg_ctlcluster", [version, "main", "restart"], { stdio: "inherit" });
    child.once("exit", resolve);
  });
  while ((await spawnStatus("pg_isready", ["-h", "127.0.0.1", "-p", "5432", "-q"])) !== 0) await sleep(100);
  const pgBackMs = Date.now() - restarted;
  // Both ready again by themselves.
  const readyAgain: Record<string, number> = {};
  const limitMs = 30_000;
  await Promise.all(
    (["A", "B"] as const).map(async (name) => {
      const origin = name === "A" ? A : B;
      while (Date.now() - restarted < limitMs) {
        if ((await status(`${origin}/api/health/ready`).catch(() => -1)) === 200) {
          readyAgain[name] = Date.now() - restarted;
          return;
        }
        await sleep(100);
      }
    }),
  );
  watching = false;
  await watch;
  const after = await Promise.all(Array.from({ length: 20 }, () => accessCheck(proxyOrigin, token, email)));
  const ok = after.filter((s) => s === 200).length;
  check(
    "PostgreSQL restart: not ready meanwhile, alive throughout, ready again by themselves",
    code === 0 &&
      seen.A.ready503 > 0 &&
      seen.B.ready503 > 0 &&
      [...seen.A.live, ...seen.B.live].every((s) => s === 200) &&
      readyAgain.A !== undefined &&
      readyAgain.B !== undefined &&
      ok === after.length,
    `pg_ctlcluster ${version} main restart exit ${code}, PostgreSQL accepting again after ${seconds(pgBackMs)}; /api/health/ready answered 503 ${seen.A.ready503}× on A and ${seen.B.ready503}× on B; /api/health/live answered ${[...new Set([...seen.A.live, ...seen.B.live])].join("/")}; ready again after ${readyAgain.A !== undefined ? seconds(readyAgain.A) : "never"} (A) and ${readyAgain.B !== undefined ? seconds(readyAgain.B) : "never"} (B) (limit ${seconds(limitMs)}); then ${ok}/${after.length} access checks through the proxy answered 200`,
  );
}

function spawnStatus(command: string, args: string[]): Promise<number | null> {
  return new Promise((resolve) => spawn(command, args, { stdio: "ignore" }).once("exit", resolve));
}

process.exitCode = await main();
