import "server-only";

import { getDb } from "@/db/client";
import { batchCheckBody, checkQuery } from "@/lib/access/api-schemas";
import { checkAccess, decisionJson, RevisionNotReachedError, type CheckResult } from "@/lib/access/check";
import { DecisionLogOverloadedError } from "@/lib/access/decision-log";
import { env } from "@/lib/env";
import {
  API_BODY_MAX_BYTES,
  apiErrorReply,
  authenticateApiClient,
  parseOrReply,
  type ApiReply,
  type JsonBody,
} from "@/lib/http/api";

/**
 * The access-check endpoint, whatever server it is served from: the Next.js
 * route (app/api/v1/access/check) and the decision listener
 * (decision-server.ts) give the same answers, errors and log rows.
 */

export const BATCH_BODY_MAX_BYTES = API_BODY_MAX_BYTES;

/**
 * How long a caller may keep answers: `private, max-age` up to the earliest
 * `valid_until` among them and at most ACCESS_CACHE_SECONDS; `no-store` when
 * any is a denial or an error (a denial can end at any moment, and a caller
 * should ask again rather than keep refusing). A revocation, a suspension or
 * a new course version can still end an allowed answer early: callers that
 * must see those at once follow /api/v1/access/changes.
 */
export function cacheControlFor(results: Pick<CheckResult, "decision">[], now = new Date()): string {
  const cap = env().ACCESS_CACHE_SECONDS;
  let seconds = cap;
  for (const { decision } of results) {
    if (!decision?.allow) return "no-store";
    if (decision.valid_until) seconds = Math.min(seconds, Math.floor((+decision.valid_until - +now) / 1000));
  }
  return results.length && seconds > 0 ? `private, max-age=${seconds}` : "no-store";
}

/** Headers every decision answer carries: caching, and the revision the facts were read at. */
export function decisionHeaders(results: CheckResult[]): Record<string, string> {
  return {
    "Cache-Control": cacheControlFor(results),
    "X-Access-Revision": String(results[0]?.revision ?? 0),
  };
}

/** The answer when the database has not reached the revision a caller asked for: retry shortly. */
export function revisionNotReachedReply(error: RevisionNotReachedError): ApiReply {
  return apiErrorReply(
    425,
    "revision_not_reached",
    `This answer would reflect revision ${error.current}, older than the ${error.wanted} asked for; retry shortly.`,
    { "Retry-After": "1", "Cache-Control": "no-store", "X-Access-Revision": String(error.current) },
  );
}

/** Runs checks, turning a revision not reached into its 425 answer and an overloaded decision log into a 503. */
export async function checkOrReply<T>(
  run: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; reply: ApiReply }> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    if (error instanceof RevisionNotReachedError) return { ok: false, reply: revisionNotReachedReply(error) };
    if (error instanceof DecisionLogOverloadedError)
      return {
        ok: false,
        reply: apiErrorReply(503, "overloaded", "Decisions are not being logged fast enough; retry shortly.", {
          "Retry-After": "1",
          "Cache-Control": "no-store",
        }),
      };
    throw error;
  }
}

/** GET: may this person hold this role right now? */
export async function answerCheck(authorization: string | null, params: Record<string, string>): Promise<ApiReply> {
  const auth = await authenticateApiClient(authorization, "access:check");
  if (!auth.ok) return auth.reply;
  const parsed = parseOrReply(checkQuery, params);
  if (!parsed.ok) return parsed.reply;
  const { user, role, min_revision: minRevision } = parsed.data;
  const checked = await checkOrReply(async () =>
    checkAccess(await getDb(), auth.client.id, [{ user, role }], undefined, { minRevision }),
  );
  if (!checked.ok) return checked.reply;
  const [result] = checked.value;
  if (result.error) return { status: 404, body: { error: result.error }, headers: { "Cache-Control": "no-store" } };
  return {
    status: 200,
    body: { ...decisionJson(result.decision!), revision: result.revision, decision_id: String(result.decisionId) },
    headers: { ...decisionHeaders(checked.value), "X-Decision-Id": String(result.decisionId) },
  };
}

/** POST: up to 1,000 (user, role) pairs; results come back in the same order. The body is read only once the token is accepted. */
export async function answerBatchCheck(
  authorization: string | null,
  readBody: () => Promise<JsonBody>,
): Promise<ApiReply> {
  const auth = await authenticateApiClient(authorization, "access:check");
  if (!auth.ok) return auth.reply;
  const body = await readBody();
  if (!body.ok) return body.reply;
  const parsed = parseOrReply(batchCheckBody, body.value);
  if (!parsed.ok) return parsed.reply;
  const { checks, min_revision: minRevision } = parsed.data;
  const checked = await checkOrReply(async () =>
    checkAccess(await getDb(), auth.client.id, checks, undefined, { minRevision }),
  );
  if (!checked.ok) return checked.reply;
  const results = checked.value;
  return {
    status: 200,
    body: {
      revision: results[0]?.revision ?? 0,
      results: results.map((r) =>
        r.error
          ? { user: r.user, role: r.role, allow: false, reasons: [], valid_until: null, error: r.error }
          : { user: r.user, role: r.role, ...decisionJson(r.decision!), decision_id: String(r.decisionId) },
      ),
    },
    headers: decisionHeaders(results),
  };
}
