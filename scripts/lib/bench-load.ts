import { spawn, type ChildProcess } from "node:child_process";
import { Agent, request as httpRequest } from "node:http";
import { createRequire } from "node:module";
import { createServer } from "node:net";

/** Load generation and process plumbing for the access benchmark. */

type AutocannonResult = {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
};
type AutocannonOptions = {
  url: string;
  connections: number;
  duration: number;
  headers?: Record<string, string>;
  requests?: {
    method?: string;
    setupRequest?: (req: { path: string }) => {
      path: string;
      method?: string;
      body?: string;
      headers?: Record<string, string>;
    };
  }[];
};
// autocannon ships no types; this is the part of its API the bench uses.
const autocannon = createRequire(import.meta.url)("autocannon") as (
  options: AutocannonOptions,
) => Promise<AutocannonResult>;

export type LoadResult = {
  connections: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  averageMs: number;
  total: number;
  non2xx: number;
  errors: number;
};

/** Warm up, then measure: each request asks about the next (person, role) pair in `paths`. */
export async function measure(
  origin: string,
  paths: string[],
  options: {
    connections: number;
    seconds: number;
    warmupSeconds: number;
    token?: string;
    /** POST each of `paths` as a JSON body to this path instead of GETting them. */
    postTo?: string;
  },
): Promise<LoadResult> {
  let next = 0;
  const { postTo } = options;
  const run = (duration: number) =>
    autocannon({
      url: origin,
      connections: options.connections,
      duration,
      headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
      requests: [
        {
          method: postTo ? "POST" : "GET",
          setupRequest: (req) =>
            postTo
              ? {
                  ...req,
                  path: postTo,
                  method: "POST",
                  body: paths[next++ % paths.length],
                  headers: {
                    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
                    "content-type": "application/json",
                  },
                }
              : { ...req, path: paths[next++ % paths.length] },
        },
      ],
    });
  await run(options.warmupSeconds);
  const r = await run(options.seconds);
  return {
    connections: options.connections,
    seconds: options.seconds,
    requestsPerSecond: Math.round(r.requests.average),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    averageMs: Math.round(r.latency.average * 100) / 100,
    total: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function waitForHttp(url: string, child: ChildProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`The server exited with code ${child.exitCode} before answering ${url}.`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`No answer from ${url} within ${timeoutMs / 1000} s.`);
}

/** Starts a command in its own process group so the whole tree can be stopped. */
export function startProcess(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): ChildProcess {
  const child = spawn(command, args, { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const forward = (chunk: Buffer) => chunk.toString().split("\n").filter(Boolean).forEach(log);
  child.stdout?.on("data", forward);
  child.stderr?.on("data", forward);
  return child;
}

export async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || !child.pid) return;
  const exited = new Promise((r) => child.once("exit", r));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      /* already gone */
    }
  }, 5000);
  await exited;
  clearTimeout(timer);
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export type OpenLoopResult = {
  targetPerSecond: number;
  seconds: number;
  sent: number;
  completedPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  non2xx: number;
  errors: number;
  /** How far behind schedule the generator itself sent its last requests: above a few ms, the figures are the generator's limit, not the server's. */
  sendLagP99Ms: number;
};

/**
 * Open-loop load: requests leave at a constant rate whatever the answers do
 * (not a fixed number of connections waiting for answers), and each latency
 * runs from the moment the request was due, so a slow answer cannot hide the
 * requests that queued behind it (no coordinated omission).
 */
export async function measureOpenLoop(
  origin: string,
  paths: string[],
  options: { rate: number; seconds: number; token?: string; maxSockets?: number },
): Promise<OpenLoopResult> {
  const url = new URL(origin);
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 1024 });
  const total = Math.round(options.rate * options.seconds);
  const latencies = new Float64Array(total);
  const lags = new Float64Array(total);
  let done = 0;
  let non2xx = 0;
  let errors = 0;
  let sent = 0;
  const headers = options.token ? { authorization: `Bearer ${options.token}` } : {};
  const start = performance.now();
  const finished = new Promise<void>((resolve) => {
    const settle = (i: number, due: number, ok: boolean, status: number) => {
      latencies[i] = performance.now() - due;
      if (!ok) errors++;
      else if (status < 200 || status > 299) non2xx++;
      if (++done === total) resolve();
    };
    const send = (i: number) => {
      const due = start + (i * 1000) / options.rate;
      lags[i] = performance.now() - due;
      const req = httpRequest(
        { host: url.hostname, port: url.port, path: paths[i % paths.length], agent, headers },
        (res) => {
          res.resume();
          res.on("end", () => settle(i, due, true, res.statusCode ?? 0));
          res.on("error", () => settle(i, due, false, 0));
        },
      );
      req.on("error", () => settle(i, due, false, 0));
      req.end();
    };
    // Sends what is due, then sleeps until the next request is due (a timer, at most ~1 ms late) rather than
    // spinning: on two cores a generator that polls holds one of them, and the server's figures would be the generator's.
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - start) * options.rate) / 1000) + 1);
      while (sent < due) send(sent++);
      if (sent < total) setTimeout(tick, Math.max(0, start + (sent * 1000) / options.rate - performance.now()));
    };
    tick();
  });
  const deadline = new Promise<void>((resolve) => setTimeout(resolve, (options.seconds + 30) * 1000));
  await Promise.race([finished, deadline]);
  agent.destroy();
  const completed = Array.from(latencies.subarray(0, total))
    .filter((v) => v > 0)
    .sort((a, b) => a - b);
  const at = (q: number) =>
    +(completed[Math.min(completed.length - 1, Math.floor(q * completed.length))] ?? 0).toFixed(1);
  const sortedLags = Array.from(lags).sort((a, b) => a - b);
  return {
    targetPerSecond: options.rate,
    seconds: options.seconds,
    sent,
    completedPerSecond: Math.round(done / options.seconds),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    p999Ms: at(0.999),
    maxMs: +(completed.at(-1) ?? 0).toFixed(1),
    non2xx,
    errors: errors + (total - done),
    sendLagP99Ms: +(sortedLags[Math.floor(0.99 * sortedLags.length)] ?? 0).toFixed(1),
  };
}
