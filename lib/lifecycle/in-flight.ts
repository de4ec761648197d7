import http from "node:http";

import { log } from "@/lib/log";

/**
 * What the server is still doing: the HTTP servers this process answers on
 * (Next's and the decision listener), the requests they have not finished,
 * and the work handed to `after()` that runs past its response. The shutdown
 * waits for all of it before it closes the database.
 */

type InFlight = {
  servers: Set<http.Server>;
  requests: number;
  background: Set<Promise<unknown>>;
  idle: Set<() => void>;
};

const state = globalThis as unknown as { __clearanceInFlight?: InFlight; __clearanceInFlightInstalled?: boolean };
const inFlight = (state.__clearanceInFlight ??= {
  servers: new Set(),
  requests: 0,
  background: new Set(),
  idle: new Set(),
});

// Next.js reads a platform's request context here (its "@next/request-context"); `after()` then hands its work to this waitUntil.
const REQUEST_CONTEXT = Symbol.for("@next/request-context");
const requestContext = { waitUntil: (work: Promise<unknown>) => trackBackground(work) };

function settled(): void {
  if (inFlight.requests > 0 || inFlight.background.size > 0) return;
  for (const resolve of inFlight.idle) resolve();
  inFlight.idle.clear();
}

/** Keeps `work` counted until it settles (its failure is the caller's to report; it is only noted here). */
export function trackBackground(work: Promise<unknown>): void {
  inFlight.background.add(work);
  work
    .catch((error: unknown) =>
      log().error({ err: error instanceof Error ? error.name : "unknown" }, "background work failed"),
    )
    .finally(() => {
      inFlight.background.delete(work);
      settled();
    });
}

/** Called once at server start (instrumentation), before the first request is served. */
export function trackInFlight(): void {
  if (state.__clearanceInFlightInstalled) return;
  state.__clearanceInFlightInstalled = true;
  const emit = http.Server.prototype.emit as (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;
  http.Server.prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === "request") {
      if (!inFlight.servers.has(this)) {
        inFlight.servers.add(this);
        this.once("close", () => inFlight.servers.delete(this));
      }
      inFlight.requests++;
      (args[1] as http.ServerResponse).once("close", () => {
        inFlight.requests--;
        settled();
      });
    }
    return emit.call(this, event, ...args);
  } as typeof http.Server.prototype.emit;
  (globalThis as Record<symbol, unknown>)[REQUEST_CONTEXT] ??= { get: () => requestContext };
}

export function inFlightCounts(): { requests: number; background: number } {
  return { requests: inFlight.requests, background: inFlight.background.size };
}

/**
 * Stops accepting connections on every server seen, waits for the requests
 * and background work in flight, then closes the idle keep-alive connections.
 * Resolves false when `timeoutMs` passed first.
 */
export async function closeServersWhenIdle(timeoutMs: number): Promise<boolean> {
  const servers = [...inFlight.servers];
  for (const server of servers) server.close();
  const idle = new Promise<true>((resolve) => {
    inFlight.idle.add(() => resolve(true));
    settled();
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  const finished = await Promise.race([idle, timedOut]);
  clearTimeout(timer);
  for (const server of servers) server.closeAllConnections();
  return finished;
}
