import { log } from "@/lib/log";

import { startDraining } from "./draining";
import { closeServersWhenIdle } from "./in-flight";

export type ShutdownOptions = {
  /** SIGTERM only: how long readiness answers 503 while requests are still served, so the load balancer stops routing here first. */
  delayMs: number;
  /** The longest the requests and work in flight may take after that; then the process exits 1. */
  timeoutMs: number;
  /** Stops the in-process scheduler and waits for its tick, when it runs here. */
  stopScheduler: () => Promise<void>;
  closeDatabase: () => Promise<void>;
  exit?: (code: number) => void;
  log?: (line: string) => void;
};

const CLOSE_GRACE_MS = 5_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The server's shutdown: readiness turns 503 at once; after the delay the
 * servers stop accepting connections and the requests, `after()` work and
 * scheduled tick in flight finish; the database pool closes; exit 0.
 */
export async function shutDownServer(signal: NodeJS.Signals, options: ShutdownOptions): Promise<void> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const say = options.log ?? ((line: string) => log().info(line));
  startDraining();
  const delayMs = signal === "SIGTERM" ? options.delayMs : 0;
  say(`${signal}: not ready; finishing the work in flight${delayMs ? ` after ${delayMs} ms` : ""}`);
  // A last resort for a scheduled tick or a database close that hangs; requests have their own timeout below.
  const deadlineMs = delayMs + options.timeoutMs + CLOSE_GRACE_MS;
  const deadline = setTimeout(() => {
    log().error(`shutdown took longer than ${deadlineMs} ms: exiting`);
    exit(1);
  }, deadlineMs);
  deadline.unref();
  try {
    if (delayMs) await sleep(delayMs);
    const [idle] = await Promise.all([closeServersWhenIdle(options.timeoutMs), options.stopScheduler()]);
    if (!idle) throw new Error(`requests still in flight after ${options.timeoutMs} ms`);
    await options.closeDatabase();
    clearTimeout(deadline);
    say("shut down");
    exit(0);
  } catch (error) {
    clearTimeout(deadline);
    log().error({ err: error instanceof Error ? error.message : "unknown" }, "shutdown failed");
    exit(1);
  }
}

/**
 * With NEXT_MANUAL_SIG_HANDLE set, Next.js leaves SIGTERM and SIGINT to the
 * app, and this handles them. Without it Next closes the server itself and
 * exits 143; the handler then only turns readiness to 503.
 */
export function installShutdownHandlers(manual: boolean, options: ShutdownOptions): void {
  const installed = globalThis as unknown as { __clearanceShutdownHandlers?: boolean };
  if (installed.__clearanceShutdownHandlers) return;
  installed.__clearanceShutdownHandlers = true;
  let started = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!manual) return startDraining();
    if (started) return;
    started = true;
    void shutDownServer(signal, options);
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
