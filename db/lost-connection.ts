import type { Sql } from "postgres";

/**
 * When PostgreSQL restarts or fails over, a statement sent on a connection
 * the server has just closed fails with one of these; the pool then opens a
 * new connection. The server's notice can still be in flight when the pool
 * hands that connection out (or sit unread while the process was busy), so
 * no health check beforehand can rule it out: the statement is what finds out.
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

/** The server ended the session: the statement in progress, if any, was rolled back. */
const TERMINATED_CODES = new Set(["57P01", "57P02", "57P03"]);

/**
 * How many times one statement is sent at most. After a restart the pool can
 * hold more than one connection the server closed, and a retry may draw
 * another of them before a fresh one.
 */
export const LOST_CONNECTION_ATTEMPTS = 3;

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

/** The server ended the session before the statement finished (a shutdown or restart): a single statement did not commit. */
export function isTerminatedByServer(error: unknown): boolean {
  return codesOf(error).some((code) => TERMINATED_CODES.has(code));
}

/** A statement that changes nothing: the app's reads outside transactions all begin with `select`. */
const READ = /^\s*select\b/i;

/**
 * Whether a statement sent outside a transaction may be sent again after
 * `error`. A read may, whenever its connection was lost. Anything else only
 * when the server terminated the session: PostgreSQL rolls back what that
 * session had not committed. A connection that merely broke (a reset, a
 * closed socket) may have broken after the commit, so a write is not resent.
 */
export function mayResend(statement: string, error: unknown): boolean {
  return READ.test(statement) ? isLostConnection(error) : isTerminatedByServer(error);
}

async function attempts<T>(attempt: () => Promise<T>, retryable: (error: unknown) => boolean): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n >= LOST_CONNECTION_ATTEMPTS || !retryable(error)) throw error;
    }
  }
}

type Unsafe = Sql["unsafe"];

/**
 * The pool, riding out connections PostgreSQL closed (a restart, a failover,
 * an administrator's pg_terminate_backend), so that no request fails for
 * them once the server is back:
 * - a statement outside a transaction is sent again as `mayResend` allows;
 * - a transaction whose BEGIN failed on a lost connection starts again, as
 *   none of its body had run. Once the body runs, a failure is the caller's:
 *   the transaction rolled back, and its body may have done more than SQL.
 * Statements inside a transaction are never resent on their own.
 */
export function resendingOnLostConnection(client: Sql): Sql {
  const unsafe = ((statement: string, parameters?: unknown[], options?: unknown) => {
    let asValues = false;
    let result: Promise<unknown> | undefined;
    const send = () =>
      (result ??= attempts(
        () => {
          const query = client.unsafe(statement, parameters as never, options as never);
          return asValues ? query.values() : query;
        },
        (error) => mayResend(statement, error),
      ));
    // Sent when first awaited, as the driver's own queries are; `.values()` before that asks for rows as arrays.
    const pending = {
      values() {
        asValues = true;
        return pending;
      },
      then<A, B>(onFulfilled?: (value: unknown) => A, onRejected?: (reason: unknown) => B) {
        return send().then(onFulfilled, onRejected);
      },
      catch<B>(onRejected?: (reason: unknown) => B) {
        return send().catch(onRejected);
      },
      finally(onFinally?: () => void) {
        return send().finally(onFinally);
      },
    };
    return pending;
  }) as unknown as Unsafe;

  const begin = ((...args: unknown[]) => {
    const body = args.pop() as (tx: unknown) => unknown;
    let entered = false;
    return attempts(
      () =>
        (client.begin as (...a: unknown[]) => Promise<unknown>)(...args, (tx: unknown) => {
          entered = true;
          return body(tx);
        }),
      (error) => !entered && isLostConnection(error),
    );
  }) as Sql["begin"];

  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === "unsafe") return unsafe;
      if (property === "begin") return begin;
      return Reflect.get(target, property, receiver);
    },
  });
}
