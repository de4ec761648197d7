import "server-only";

import { AsyncLocalStorage } from "node:async_hooks";

import pino, { type DestinationStream, type Logger } from "pino";

import { env } from "./env";
import { instanceId } from "./instance";
import { REDACTED, scrubError, scrubText, scrubValue } from "./log-scrub";

export type { Logger } from "pino";
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

/**
 * Known places secrets sit in the objects code logs, replaced by pino before
 * anything else; scrubValue (log-scrub.ts) then catches what these miss.
 */
const REDACT_PATHS = [
  "password",
  "*.password",
  "token",
  "*.token",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "headers.cookie",
  "*.headers.authorization",
  "*.headers.cookie",
  "cookie",
  "*.cookie",
  "secret",
  "*.secret",
  "email",
  "*.email",
];

/**
 * A JSON-lines logger: one object per line with `level`, `time` (ISO),
 * `service`, `instance` and `msg`. Nothing personal or secret comes out (see
 * log-scrub.ts): log ids, never addresses, tokens or codes.
 */
export function createLogger(
  options: { level?: LogLevel; destination?: DestinationStream; base?: Record<string, unknown> } = {},
): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { service: "clearance", instance: instanceId(), ...options.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: "msg",
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      serializers: { err: scrubError, error: scrubError },
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => scrubValue(object) as Record<string, unknown>,
      },
      hooks: {
        // The message and any interpolated arguments are scrubbed like the fields.
        logMethod(args, method) {
          // An error logged alone would give its raw message as the line's message.
          const [first, ...rest] = args as unknown[];
          const given = first instanceof Error ? [{ err: first }, rest[0] ?? first.message, ...rest.slice(1)] : args;
          const clean = given.map((arg) => (typeof arg === "string" ? scrubText(arg) : arg));
          return method.apply(this, clean as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** A request's log context: its id, and its logger once something is logged (most requests log nothing). */
type RequestLog = { requestId: string; logger?: Logger };

const state = globalThis as unknown as {
  __clearanceLogger?: Logger;
  __clearanceLogContext?: AsyncLocalStorage<RequestLog>;
};
const context = (state.__clearanceLogContext ??= new AsyncLocalStorage<RequestLog>());

/** The process's logger (LOG_LEVEL), or the request's when called inside withRequestLog. */
export function log(): Logger {
  const request = context.getStore();
  if (!request) return baseLogger();
  request.logger ??= requestLogger(request.requestId);
  return request.logger;
}

function baseLogger(): Logger {
  state.__clearanceLogger ??= createLogger({ level: configuredLevel() });
  return state.__clearanceLogger;
}

/** LOG_LEVEL; "info" where the configuration cannot be read (`next build` has no production secrets). */
function configuredLevel(): LogLevel {
  try {
    return env().LOG_LEVEL;
  } catch {
    return "info";
  }
}

/** A logger whose every line carries `requestId`. */
export function requestLogger(requestId: string): Logger {
  return baseLogger().child({ requestId });
}

/** Runs `work` with log() answering a logger that carries `requestId`, across every await inside it. */
export function withRequestLog<T>(requestId: string, work: () => T): T {
  return context.run({ requestId }, work);
}

/** Replaces the process's logger (tests capture lines this way); undefined goes back to the default. */
export function setLoggerForTests(logger: Logger | undefined): void {
  state.__clearanceLogger = logger;
}
