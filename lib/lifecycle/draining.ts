/**
 * Whether this process is shutting down. Set once, on SIGTERM (or SIGINT), by
 * the server's shutdown (app-shutdown.ts) or the worker; read by
 * /api/health/ready and /api/health/live, which then answer 503 so the load
 * balancer stops sending new requests while the ones in flight finish.
 * Kept on globalThis: instrumentation and route handlers are bundled apart.
 */
const state = globalThis as unknown as { __clearanceDrainingSince?: Date };

export function isDraining(): boolean {
  return state.__clearanceDrainingSince !== undefined;
}

export function startDraining(now = new Date()): void {
  state.__clearanceDrainingSince ??= now;
}

/** Tests that drain a process and carry on. */
export function resetDrainingForTests(): void {
  state.__clearanceDrainingSince = undefined;
}
