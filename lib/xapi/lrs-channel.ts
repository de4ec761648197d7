import "server-only";

import { xapiStatements } from "@/db/schema";
import { env } from "@/lib/env";
import type { OutboxChannel, SendOutcome } from "@/lib/outbox/channel";
import { describeSendError } from "@/lib/webhooks/webhook-channel";

export const XAPI_VERSION = "1.0.3";
const REQUEST_TIMEOUT_MS = 10_000;
/** A few statements at a time: an LRS is one server, often a small one. */
const CONCURRENCY = 4;

type StatementRow = Pick<typeof xapiStatements.$inferSelect, "id" | "statement" | "attempts">;
type Lrs = { endpoint: string; authorization: string | null; timeoutMs: number };

/**
 * xAPI statements from `xapi_statements` to the learning record store at
 * XAPI_LRS_URL: each a `PUT statements?statementId=<id>`, so a statement
 * sent again after a lost answer is stored once. A failure (the LRS down,
 * refusing the credentials, answering 5xx) reschedules the statement on the
 * outbox's backoff; `attempts` counts failures only. The queue is left
 * untouched while no LRS is configured.
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
    canSend: () => Boolean(env().XAPI_LRS_URL),
    async open() {
      const settings = env();
      const base = settings.XAPI_LRS_URL!;
      const lrs: Lrs = {
        endpoint: new URL("statements", base.endsWith("/") ? base : `${base}/`).toString(),
        authorization: settings.XAPI_LRS_USERNAME
          ? `Basic ${Buffer.from(`${settings.XAPI_LRS_USERNAME}:${settings.XAPI_LRS_PASSWORD ?? ""}`).toString("base64")}`
          : null,
        timeoutMs: options.timeoutMs ?? REQUEST_TIMEOUT_MS,
      };
      return { send: (row) => put(lrs, row), close() {} };
    },
  };
}

async function put(lrs: Lrs, row: StatementRow): Promise<SendOutcome> {
  const url = new URL(lrs.endpoint);
  url.searchParams.set("statementId", row.id);
  try {
    const response = await fetch(url, {
      method: "PUT",
      headers: {
        "Content-Type": "application/json",
        "X-Experience-API-Version": XAPI_VERSION,
        "User-Agent": "Clearance-xAPI/1",
        ...(lrs.authorization ? { Authorization: lrs.authorization } : {}),
      },
      body: JSON.stringify(row.statement),
      redirect: "manual",
      signal: AbortSignal.timeout(lrs.timeoutMs),
    });
    await response.body?.cancel();
    if (response.status >= 200 && response.status < 300)
      return { ok: true, columns: { lastStatusCode: response.status } };
    return {
      ok: false,
      error: describeLrsStatus(response.status),
      columns: { lastStatusCode: response.status || null },
    };
  } catch (error) {
    return { ok: false, error: describeSendError(error, lrs.timeoutMs), columns: { lastStatusCode: null } };
  }
}

/** What an admin should know of a refusal; the LRS's own body is not kept (it may echo the statement). */
export function describeLrsStatus(status: number): string {
  if (status === 401 || status === 403)
    return `HTTP ${status}: the LRS refused the credentials (check XAPI_LRS_USERNAME and XAPI_LRS_PASSWORD)`;
  if (status === 409) return "HTTP 409: the LRS holds a different statement under this id";
  if (status === 400) return "HTTP 400: the LRS refused the statement as invalid";
  if (status === 0 || (status >= 300 && status < 400))
    return `HTTP ${status || "3xx"}: redirects are not followed; set XAPI_LRS_URL to the final endpoint`;
  return `HTTP ${status}: the LRS did not store the statement`;
}
