import "server-only";

import { getDb } from "@/db/client";
import { xapiStatements } from "@/db/schema";
import type { OutboxChannel, SendOutcome } from "@/lib/outbox/channel";
import { postToReceiver } from "@/lib/webhooks/post-to-receiver";
import { describeSendError } from "@/lib/webhooks/webhook-channel";

import { lrsConfig, type LrsConfig, type LrsSource } from "./lrs-config";

export const XAPI_VERSION = "1.0.3";
const REQUEST_TIMEOUT_MS = 10_000;
/** A few statements at a time: an LRS is one server, often a small one. */
const CONCURRENCY = 4;

type StatementRow = Pick<typeof xapiStatements.$inferSelect, "id" | "statement" | "attempts">;
type Lrs = { config: LrsConfig; authorization: string | null; timeoutMs: number };

const lrsOf = (config: LrsConfig, timeoutMs: number): Lrs => ({
  config,
  authorization:
    config.username !== null
      ? `Basic ${Buffer.from(`${config.username}:${config.password ?? ""}`).toString("base64")}`
      : null,
  timeoutMs,
});

/**
 * xAPI statements from `xapi_statements` to the learning record store
 * (lib/xapi/lrs-config.ts): each a `PUT statements?statementId=<id>`, so a
 * statement sent again after a lost answer is stored once. A failure (the
 * LRS down, refusing the credentials, answering 5xx) reschedules the
 * statement on the outbox's backoff; `attempts` counts failures only. The
 * queue is left untouched while no LRS is configured. A store an admin
 * entered is reached like a webhook: public addresses only, checked after
 * DNS, redirects not followed.
 */
export function lrsChannel(options: { timeoutMs?: number } = {}): OutboxChannel<StatementRow> {
  return {
    queue: {
      table: xapiStatements,
      waiting: "queued",
      done: "sent",
      doneAt: "sentAt",
      order: xapiStatements.createdAt,
      countsSuccessAsAttempt: false,
      interrupted: "interrupted: the sending worker stopped before finishing",
    },
    fields: { id: xapiStatements.id, statement: xapiStatements.statement, attempts: xapiStatements.attempts },
    concurrency: CONCURRENCY,
    canSend: async () => (await lrsConfig(await getDb())) !== null,
    async open(_batch, db) {
      const config = await lrsConfig(db);
      if (!config)
        return { send: async () => ({ ok: false, error: "the learning record store was disconnected" }), close() {} };
      const lrs = lrsOf(config, options.timeoutMs ?? REQUEST_TIMEOUT_MS);
      return { send: (row) => put(lrs, row), close() {} };
    },
  };
}

const xapiHeaders = (lrs: Lrs): Record<string, string> => ({
  "X-Experience-API-Version": XAPI_VERSION,
  "User-Agent": "Clearance-xAPI/1",
  ...(lrs.authorization ? { Authorization: lrs.authorization } : {}),
});

const statementsUrl = (lrs: Lrs) => new URL("statements", lrs.config.endpoint);

async function put(lrs: Lrs, row: StatementRow): Promise<SendOutcome> {
  if (lrs.config.secretUnreadable) return { ok: false, error: UNREADABLE_SECRET, columns: { lastStatusCode: null } };
  const url = statementsUrl(lrs);
  url.searchParams.set("statementId", row.id);
  try {
    const { status } = await postToReceiver(
      url.toString(),
      {
        method: "PUT",
        headers: { ...xapiHeaders(lrs), "Content-Type": "application/json" },
        body: JSON.stringify(row.statement),
      },
      { allowPrivate: lrs.config.allowPrivate, timeoutMs: lrs.timeoutMs },
    );
    if (status >= 200 && status < 300) return { ok: true, columns: { lastStatusCode: status } };
    return {
      ok: false,
      error: describeLrsStatus(status, lrs.config.source),
      columns: { lastStatusCode: status || null },
    };
  } catch (error) {
    return { ok: false, error: describeSendError(error, lrs.timeoutMs), columns: { lastStatusCode: null } };
  }
}

const UNREADABLE_SECRET =
  "the stored LRS secret cannot be decrypted (was its DATA_ENCRYPTION_KEY retired?); enter the secret again in Admin → Webhooks";

const credentialsHint = (source: LrsSource) =>
  source === "environment"
    ? "check XAPI_LRS_USERNAME and XAPI_LRS_PASSWORD"
    : "check the key and secret in Admin → Webhooks";

/** What an admin should know of a refusal; the LRS's own body is not kept (it may echo the statement). */
export function describeLrsStatus(status: number, source: LrsSource = "environment"): string {
  if (status === 401 || status === 403)
    return `HTTP ${status}: the LRS refused the credentials (${credentialsHint(source)})`;
  if (status === 409) return "HTTP 409: the LRS holds a different statement under this id";
  if (status === 400) return "HTTP 400: the LRS refused the statement as invalid";
  if (status === 0 || (status >= 300 && status < 400))
    return `HTTP ${status || "3xx"}: redirects are not followed; ${
      source === "environment" ? "set XAPI_LRS_URL to" : "enter"
    } the final endpoint`;
  return `HTTP ${status}: the LRS did not store the statement`;
}

export type LrsCheck = { ok: boolean; message: string };

/**
 * Asks the store for one statement (`GET statements?limit=1`) with the
 * credentials, to tell an admin at once whether the endpoint is an LRS that
 * takes them. Nothing is written to the store.
 */
export async function checkLrsConnection(config: LrsConfig, timeoutMs = 5_000): Promise<LrsCheck> {
  if (config.secretUnreadable) return { ok: false, message: UNREADABLE_SECRET };
  const lrs = lrsOf(config, timeoutMs);
  const url = statementsUrl(lrs);
  url.searchParams.set("limit", "1");
  try {
    const { status } = await postToReceiver(
      url.toString(),
      { method: "GET", headers: xapiHeaders(lrs) },
      { allowPrivate: config.allowPrivate, timeoutMs },
    );
    if (status >= 200 && status < 300) return { ok: true, message: "The store accepted the key and secret." };
    if (status === 401) return { ok: false, message: "The store refused the key and secret (HTTP 401)." };
    if (status === 403)
      return {
        ok: true,
        message:
          "The store knows the key but does not let it read statements (HTTP 403); that is enough if it may write them.",
      };
    if (status === 404)
      return {
        ok: false,
        message:
          "The store has no statements resource there (HTTP 404): enter the endpoint that ends before statements.",
      };
    return { ok: false, message: `The store answered HTTP ${status}.` };
  } catch (error) {
    return { ok: false, message: `The store could not be reached: ${describeSendError(error, timeoutMs)}.` };
  }
}
