/**
 * When PostgreSQL restarts or fails over, a query that was sent on a
 * connection the server has just closed fails once with one of these; the
 * pool then opens a new connection. A read that does not change anything can
 * safely be tried again, so a restart costs no failed answers.
 */
const LOST_CONNECTION_CODES = new Set([
  "57P01", // admin_shutdown: terminating connection due to administrator command
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: the server is starting up
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "ECONNRESET",
  "EPIPE",
]);

/** The codes of an error and of the errors it was caused by (a failed query wraps the driver's). */
function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  for (
    let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 4;
    e = e.cause as typeof e, depth++
  ) {
    if (typeof e.code === "string") codes.push(e.code);
  }
  return codes;
}

export function isLostConnection(error: unknown): boolean {
  return codesOf(error).some((code) => LOST_CONNECTION_CODES.has(code) || code.startsWith("08"));
}

/** Runs a read, and once more if its connection was lost under it. Only for statements that change nothing. */
export async function readRetryingLostConnection<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (!isLostConnection(error)) throw error;
    return read();
  }
}

/** The server ended the session before the statement finished (a shutdown or restart): a single statement did not commit. */
export function isTerminatedByServer(error: unknown): boolean {
  return codesOf(error).some((code) => code === "57P01" || code === "57P02" || code === "57P03");
}

/**
 * Runs one statement outside a transaction, and once more if the server
 * terminated its session first (then it did not commit). A connection that
 * merely broke is not retried: the statement may have committed.
 */
export async function writeRetryingTerminated<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isTerminatedByServer(error)) throw error;
    return write();
  }
}
