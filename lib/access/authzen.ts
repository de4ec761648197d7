import "server-only";

import type { z } from "zod";

import { getDb } from "@/db/client";
import { evaluationRequest, evaluationsRequest, type EvaluationRequest } from "@/lib/access/api-schemas";
import { decideChecks, logChecks, type CheckResult, type UnloggedChecks } from "@/lib/access/check";
import { authenticateApiClient, type ApiReply, type JsonBody } from "@/lib/http/api";
import { requestIdFrom } from "@/lib/http/request-id";

import { cacheControlFor, checkOrReply, decisionHeaders } from "./listener/check-endpoint";

/**
 * The OpenID AuthZEN Authorization API 1.0 over Clearance's access decision:
 * `POST /access/v1/evaluation`, `POST /access/v1/evaluations` and the
 * metadata at `/.well-known/authzen-configuration`. A subject is a person
 * (`{type: "user", id: <email or id>}`), a resource a data-access role
 * (`{type: "role", id: <role id>}`), and the action `hold` (or the name of a
 * data operation that needs the role, e.g. `customer.view`): the decision is
 * whether the person holds the role now. Same tokens (scope `access:check`),
 * rate limits and decision log as /api/v1/access/check, on the app and on the
 * decision listener.
 */

export const EVALUATION_PATH = "/access/v1/evaluation";
export const EVALUATIONS_PATH = "/access/v1/evaluations";
export const AUTHZEN_METADATA_PATH = "/.well-known/authzen-configuration";

/** The largest body (about 400 bytes an evaluation). */
export const EVALUATIONS_BODY_MAX_BYTES = 4 * 1024 * 1024;
/** Evaluations are decided and logged this many at a time, and a batch's answer is streamed chunk by chunk. */
const CHUNK = 1_000;

const DATA_OPERATION = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;

type EvaluationError = { status: number; code: string; message: string };
export type EvaluationResponse = { decision: boolean; context?: Record<string, unknown> };

/** The caller's X-Request-ID, echoed as the standard asks, or one of our own; odd values are replaced, never reflected. */
export const requestIdFor = (header: string | null): string => requestIdFrom(header);

const isJson = (contentType: string | null) =>
  /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i.test((contentType ?? "").trim());

function invalid(message: string, fields?: { path: string; message: string }[]): ApiReply {
  return { status: 400, body: { error: { code: "invalid_request", message, ...(fields ? { fields } : {}) } } };
}

function firstIssue(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
}

/** The (user, role) pair an evaluation asks about, or why it cannot be answered. */
function pairOf(request: EvaluationRequest): { user: string; role: string } | { error: EvaluationError } {
  if (request.subject.type !== "user")
    return { error: { status: 400, code: "unsupported_subject_type", message: 'subject.type must be "user".' } };
  if (request.resource.type !== "role")
    return { error: { status: 400, code: "unsupported_resource_type", message: 'resource.type must be "role".' } };
  if (request.action.name !== "hold" && !DATA_OPERATION.test(request.action.name))
    return {
      error: {
        status: 400,
        code: "unsupported_action",
        message: 'action.name must be "hold" or a data operation such as customer.view.',
      },
    };
  if (!/^[a-z0-9-]{1,100}$/.test(request.resource.id))
    return { error: { status: 404, code: "unknown_role", message: `No data-access role "${request.resource.id}".` } };
  return { user: request.subject.id.trim(), role: request.resource.id };
}

/** A requested `context.min_revision`, if any (a non-negative integer, or a numeric string). */
function minRevisionOf(ctx: Record<string, unknown> | undefined): number | { error: string } {
  const value = ctx?.min_revision;
  if (value === undefined || value === null) return 0;
  const n = typeof value === "string" && /^\d{1,16}$/.test(value) ? Number(value) : value;
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 0
    ? n
    : { error: "context.min_revision must be a non-negative whole number" };
}

function responseFor(result: CheckResult | { error: EvaluationError }): EvaluationResponse {
  if ("user" in result && result.decision) {
    const d = result.decision;
    return {
      decision: d.allow,
      context: {
        reasons: d.reasons,
        valid_until: d.valid_until?.toISOString() ?? null,
        revision: result.revision,
        decision_id: String(result.decisionId),
      },
    };
  }
  const error = "user" in result ? { status: 404, ...result.error! } : result.error;
  return { decision: false, context: { error, ...("user" in result ? { revision: result.revision } : {}) } };
}

type Item = { pair: { user: string; role: string } } | { error: EvaluationError };

/** Merges an evaluation with the request's defaults; an item missing what no default supplies is an error of its own. */
function itemOf(raw: unknown, defaults: z.infer<typeof evaluationsRequest>): Item {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    return { error: { status: 400, code: "invalid_request", message: "An evaluation must be an object." } };
  const merged = { subject: defaults.subject, action: defaults.action, resource: defaults.resource, ...raw };
  const parsed = evaluationRequest.safeParse(merged);
  if (!parsed.success) {
    const [issue] = firstIssue(parsed.error);
    return { error: { status: 400, code: "invalid_request", message: `${issue.path}: ${issue.message}` } };
  }
  const pair = pairOf(parsed.data);
  return "error" in pair ? pair : { pair };
}

/** Decides a slice of items (valid pairs in one read), returning results in item order, not yet logged. */
async function decideItems(items: Item[], minRevision: number) {
  const pairs = items.flatMap((i) => ("pair" in i ? [i.pair] : []));
  const decided: UnloggedChecks | null = pairs.length
    ? await decideChecks(await getDb(), pairs, undefined, { minRevision })
    : null;
  let next = 0;
  const results = items.map((i) => ("pair" in i ? decided!.results[next++] : i));
  return { decided, results };
}

async function logSlice(
  clientId: string,
  decided: UnloggedChecks | null,
  results: (CheckResult | { error: EvaluationError })[],
): Promise<EvaluationResponse[]> {
  if (decided)
    await logChecks(
      await getDb(),
      clientId,
      decided,
      results.filter((r): r is CheckResult => "user" in r),
    );
  return results.map(responseFor);
}

/** Reads a JSON body after checking its type (the standard requires application/json). */
async function readRequest(
  contentType: string | null,
  readBody: () => Promise<JsonBody>,
): Promise<{ ok: true; value: unknown } | { ok: false; reply: ApiReply }> {
  if (!isJson(contentType)) return { ok: false, reply: invalid("Content-Type must be application/json.") };
  const body = await readBody();
  if (!body.ok) return body;
  if (typeof body.value !== "object" || body.value === null || Array.isArray(body.value))
    return { ok: false, reply: invalid("The body must be a JSON object.") };
  return body;
}

export type AuthzenRequest = {
  authorization: string | null;
  contentType: string | null;
  readBody: () => Promise<JsonBody>;
};

/** POST /access/v1/evaluation: one decision, `{ decision, context: { reasons, valid_until, revision, decision_id } }`. */
export async function answerEvaluation({ authorization, contentType, readBody }: AuthzenRequest): Promise<ApiReply> {
  const auth = await authenticateApiClient(authorization, "access:check");
  if (!auth.ok) return auth.reply;
  const body = await readRequest(contentType, readBody);
  if (!body.ok) return body.reply;
  const parsed = evaluationRequest.safeParse(body.value);
  if (!parsed.success) {
    const fields = firstIssue(parsed.error);
    return invalid(`${fields[0].path || "body"}: ${fields[0].message}`, fields);
  }
  return single(auth.client.id, parsed.data);
}

async function single(clientId: string, request: EvaluationRequest): Promise<ApiReply> {
  const minRevision = minRevisionOf(request.context);
  if (typeof minRevision !== "number") return invalid(minRevision.error);
  const pair = pairOf(request);
  if ("error" in pair) return { status: 200, body: responseFor(pair), headers: { "Cache-Control": "no-store" } };
  const checked = await checkOrReply(async () => {
    const decided = await decideChecks(await getDb(), [pair], undefined, { minRevision });
    return logChecks(await getDb(), clientId, decided, decided.results);
  });
  if (!checked.ok) return checked.reply;
  const [result] = checked.value;
  return {
    status: 200,
    body: responseFor(result),
    headers: {
      ...decisionHeaders(checked.value),
      ...(result.decisionId !== null ? { "X-Decision-Id": String(result.decisionId) } : {}),
    },
  };
}

/**
 * POST /access/v1/evaluations: up to 10,000 evaluations, each merged with the
 * top-level defaults, answered in order. An evaluation that cannot be
 * answered is `decision: false` with `context.error`; the call itself fails
 * only when the body does. `deny_on_first_deny` and `permit_on_first_permit`
 * stop at the first such answer, and only what is returned is logged. Large
 * batches are decided 1,000 at a time and streamed as each part is logged.
 * Without evaluations the call is a single evaluation.
 */
export async function answerEvaluations({ authorization, contentType, readBody }: AuthzenRequest): Promise<ApiReply> {
  const auth = await authenticateApiClient(authorization, "access:check");
  if (!auth.ok) return auth.reply;
  const body = await readRequest(contentType, readBody);
  if (!body.ok) return body.reply;
  const parsed = evaluationsRequest.safeParse(body.value);
  if (!parsed.success) {
    const fields = firstIssue(parsed.error);
    return invalid(`${fields[0].path || "body"}: ${fields[0].message}`, fields);
  }
  const request = parsed.data;
  if (!request.evaluations?.length) {
    const one = evaluationRequest.safeParse(request);
    if (!one.success) {
      const fields = firstIssue(one.error);
      return invalid(`${fields[0].path || "body"}: ${fields[0].message}`, fields);
    }
    return single(auth.client.id, one.data);
  }

  const semantic = request.options?.evaluations_semantic ?? "execute_all";
  const wanted = minRevisionOf(request.context);
  if (typeof wanted !== "number") return invalid(wanted.error);
  const minRevision: number = wanted;
  const items = request.evaluations.map((raw) => itemOf(raw, request));
  const stopsAt = (r: EvaluationResponse) =>
    (semantic === "deny_on_first_deny" && !r.decision) || (semantic === "permit_on_first_permit" && r.decision);

  // The first part is decided before answering, so a refusal (425, or a failure) is still a status code.
  const parts = Array.from({ length: Math.ceil(items.length / CHUNK) }, (_, i) =>
    items.slice(i * CHUNK, (i + 1) * CHUNK),
  );
  const decideFirst = await checkOrReply(() => decideItems(parts[0], minRevision));
  if (!decideFirst.ok) return decideFirst.reply;
  const first = decideFirst.value;

  const clientId = auth.client.id;
  async function* evaluations(): AsyncGenerator<EvaluationResponse[]> {
    let { decided, results } = first;
    for (let part = 0; ;) {
      // Cut short at the first deny (or permit): only evaluations returned are logged.
      const stop = semantic === "execute_all" ? -1 : results.map(responseFor).findIndex(stopsAt);
      const kept = stop >= 0 ? results.slice(0, stop + 1) : results;
      yield await logSlice(clientId, decided, kept);
      if (stop >= 0 || ++part >= parts.length) return;
      ({ decided, results } = await decideItems(parts[part], minRevision));
    }
  }

  const revision = first.decided?.results[0]?.revision;
  if (parts.length === 1) {
    const all: EvaluationResponse[] = [];
    for await (const slice of evaluations()) all.push(...slice);
    const allDecided = first.results.every((r) => "user" in r);
    return {
      status: 200,
      body: { evaluations: all },
      headers: {
        "Cache-Control": allDecided ? cacheControlFor(first.results as CheckResult[]) : "no-store",
        ...(revision !== undefined ? { "X-Access-Revision": String(revision) } : {}),
      },
    };
  }
  return {
    status: 200,
    body: null,
    stream: jsonStream(evaluations()),
    headers: {
      "Cache-Control": "no-store",
      ...(revision !== undefined ? { "X-Access-Revision": String(revision) } : {}),
    },
  };
}

/** `{"evaluations":[…]}` written part by part. */
async function* jsonStream(parts: AsyncGenerator<EvaluationResponse[]>): AsyncGenerator<string> {
  yield '{"evaluations":[';
  let first = true;
  for await (const part of parts) {
    if (!part.length) continue;
    yield (first ? "" : ",") + part.map((p) => JSON.stringify(p)).join(",");
    first = false;
  }
  yield "]}";
}

/** The PDP metadata document for a server whose public base URL is `base`. */
export function authzenMetadata(base: string): ApiReply {
  const origin = base.replace(/\/+$/, "");
  return {
    status: 200,
    body: {
      policy_decision_point: origin,
      access_evaluation_endpoint: `${origin}${EVALUATION_PATH}`,
      access_evaluations_endpoint: `${origin}${EVALUATIONS_PATH}`,
    },
    headers: { "Cache-Control": "public, max-age=3600" },
  };
}
