import "server-only";

import { getDb } from "@/db/client";
import { batchCheckBody, checkQuery } from "@/lib/access/api-schemas";
import { checkAccess, decisionJson } from "@/lib/access/check";
import { API_BODY_MAX_BYTES, authenticateApiClient, parseOrReply, type ApiReply, type JsonBody } from "@/lib/http/api";

/**
 * The access-check endpoint, whatever server it is served from: the Next.js
 * route (app/api/v1/access/check) and the decision listener
 * (decision-server.ts) give the same answers, errors and log rows.
 */

export const BATCH_BODY_MAX_BYTES = API_BODY_MAX_BYTES;
const NO_STORE = { "Cache-Control": "no-store" };

/** GET: may this person hold this role right now? */
export async function answerCheck(authorization: string | null, params: Record<string, string>): Promise<ApiReply> {
  const auth = await authenticateApiClient(authorization, "access:check");
  if (!auth.ok) return auth.reply;
  const parsed = parseOrReply(checkQuery, params);
  if (!parsed.ok) return parsed.reply;
  const [result] = await checkAccess(await getDb(), auth.client.id, [parsed.data]);
  if (result.error) return { status: 404, body: { error: result.error } };
  return { status: 200, body: decisionJson(result.decision!), headers: NO_STORE };
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
  const results = await checkAccess(await getDb(), auth.client.id, parsed.data.checks);
  return {
    status: 200,
    body: {
      results: results.map((r) =>
        r.error
          ? { user: r.user, role: r.role, allow: false, reasons: [], valid_until: null, error: r.error }
          : { user: r.user, role: r.role, ...decisionJson(r.decision!) },
      ),
    },
    headers: NO_STORE,
  };
}
