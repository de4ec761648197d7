import "server-only";

import { headers } from "next/headers";

import { log, requestLogger, withRequestLog, type Logger } from "@/lib/log";

import { isWellFormedRequestId, REQUEST_ID_HEADER } from "./request-id";

/** The id proxy.ts gave the request being rendered or the Server Action being run, if any. */
export async function currentRequestId(): Promise<string | null> {
  try {
    const id = (await headers()).get(REQUEST_ID_HEADER);
    return isWellFormedRequestId(id) ? id : null;
  } catch {
    return null; // outside a request: the scheduler, a script
  }
}

/** A logger for the current page or Server Action: its lines carry the request's id. */
export async function requestLog(): Promise<Logger> {
  const id = await currentRequestId();
  return id ? requestLogger(id) : log();
}

/** Runs `work` so that every log line written inside it carries the current request's id. */
export async function withCurrentRequestLog<T>(work: () => Promise<T>): Promise<T> {
  const id = await currentRequestId();
  return id ? withRequestLog(id, work) : work();
}
