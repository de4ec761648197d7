import "server-only";

import { eq } from "drizzle-orm";
import type { z } from "zod";

import { getDb, type Db } from "@/db/client";
import { apiClients, type ApiScope } from "@/db/schema";
import { sha256Hex } from "@/lib/crypto/hash";
import { MINUTE } from "@/lib/time";

import { hitSharedRateLimit } from "./rate-limit";

export type ApiClient = { id: string; name: string; scopes: string[] };

/**
 * An API answer before it becomes a response, the one reply type of the
 * helpers here: route handlers send it with toResponse, and the decision
 * listener (lib/access/listener/decision-server.ts) writes the same replies
 * to node:http.
 */
export type ApiReply = {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** A JSON body written part by part (then `body` is ignored): for answers too large to build before sending. */
  stream?: AsyncIterable<string>;
};

/** The API's error shape: `{ error: { code, message } }`. */
export function apiErrorReply(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): ApiReply {
  return { status, body: { error: { code, message } }, headers };
}

export function toResponse(reply: ApiReply): Response {
  if (!reply.stream) return Response.json(reply.body, { status: reply.status, headers: reply.headers });
  const parts = reply.stream[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await parts.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await parts.return?.();
    },
  });
  return new Response(body, {
    status: reply.status,
    headers: { "Content-Type": "application/json", ...reply.headers },
  });
}

const LAST_USED_RESOLUTION_MS = MINUTE;
/** How long an instance trusts what it read about a token; revocation on this instance applies at once. */
export const TOKEN_CACHE_MS = 5_000;
const TOKEN_CACHE_MAX = 1_000;

type TokenRecord = {
  id: string;
  name: string;
  scopes: string[];
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  limit: number;
};
// One cache per process: route handlers and the Server Action that revokes a token are bundled apart, so module state would not be shared.
const processState = globalThis as unknown as {
  __clearanceTokenCache?: Map<string, { record: TokenRecord | null; readAt: number }>;
};
const tokenCache = (processState.__clearanceTokenCache ??= new Map());

/** Drops what this instance remembers about tokens (after a revocation). */
export function forgetApiTokens(): void {
  tokenCache.clear();
}

async function tokenRecord(db: Db, tokenHash: string): Promise<TokenRecord | null> {
  const cached = tokenCache.get(tokenHash);
  if (cached && Date.now() - cached.readAt < TOKEN_CACHE_MS) return cached.record;
  const [record = null] = await db
    .select({
      id: apiClients.id,
      name: apiClients.name,
      scopes: apiClients.scopes,
      revokedAt: apiClients.revokedAt,
      lastUsedAt: apiClients.lastUsedAt,
      limit: apiClients.rateLimitPerMinute,
    })
    .from(apiClients)
    .where(eq(apiClients.tokenHash, tokenHash))
    .limit(1);
  if (tokenCache.size >= TOKEN_CACHE_MAX) tokenCache.clear();
  tokenCache.set(tokenHash, { record, readAt: Date.now() });
  return record;
}

/**
 * Authenticates a bearer token (the Authorization header's value), checks
 * its scope and its per-minute rate limit. Failures follow the API shape
 * with 401, 403 or 429. What a token is allowed is re-read at most every
 * TOKEN_CACHE_MS, so a busy client costs no lookup per request.
 */
export async function authenticateApiClient(
  authorization: string | null,
  scope: ApiScope,
): Promise<{ ok: true; client: ApiClient } | { ok: false; reply: ApiReply }> {
  const match = (authorization ?? "").match(/^Bearer\s+(\S+)$/i);
  if (!match)
    return {
      ok: false,
      reply: apiErrorReply(401, "unauthenticated", "Send an API token as 'Authorization: Bearer <token>'.", {
        "WWW-Authenticate": 'Bearer realm="clearance"',
      }),
    };
  const db = await getDb();
  const client = await tokenRecord(db, sha256Hex(match[1]));
  if (!client || client.revokedAt) {
    return {
      ok: false,
      reply: apiErrorReply(401, "invalid_token", "The API token is not valid or has been revoked.", {
        "WWW-Authenticate": 'Bearer error="invalid_token"',
      }),
    };
  }
  if (!client.scopes.includes(scope))
    return {
      ok: false,
      reply: apiErrorReply(403, "insufficient_scope", `This token does not have the "${scope}" scope.`),
    };
  const now = new Date();
  const rate = await hitSharedRateLimit(db, `api:${client.id}`, client.limit, 60, now);
  if (!rate.allowed) {
    return {
      ok: false,
      reply: apiErrorReply(429, "rate_limited", `Too many requests: the limit is ${client.limit} per minute.`, {
        "Retry-After": String(rate.retryAfterSeconds),
      }),
    };
  }
  if (!client.lastUsedAt || now.getTime() - client.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    client.lastUsedAt = now;
    await db.update(apiClients).set({ lastUsedAt: now }).where(eq(apiClients.id, client.id));
  }
  return { ok: true, client: { id: client.id, name: client.name, scopes: client.scopes } };
}

/** Runs a route handler for an authenticated client with `scope` (see authenticateApiClient). */
export async function withApiClient(
  request: Request,
  scope: ApiScope,
  handler: (client: ApiClient) => Promise<Response>,
): Promise<Response> {
  const auth = await authenticateApiClient(request.headers.get("authorization"), scope);
  return auth.ok ? handler(auth.client) : toResponse(auth.reply);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Parses with zod; a 400 reply with field messages when the input is wrong. */
export function parseOrReply<S extends z.ZodType>(
  schema: S,
  value: unknown,
): { ok: true; data: z.infer<S> } | { ok: false; reply: ApiReply } {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, data: result.data };
  const fields = result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  const first = fields[0];
  return {
    ok: false,
    reply: {
      status: 400,
      body: {
        error: {
          code: "invalid_request",
          message: first ? `${first.path || "body"}: ${first.message}` : "Invalid request.",
          fields,
        },
      },
    },
  };
}

export type JsonBody = { ok: true; value: unknown } | { ok: false; reply: ApiReply };

export const bodyTooLarge = (maxBytes: number) =>
  apiErrorReply(413, "payload_too_large", `The body must be at most ${Math.round(maxBytes / 1024)} KB.`);

/** A JSON body already read as text; a 413 or 400 reply when it is too large or not JSON. */
export function parseJsonText(text: string, maxBytes: number): JsonBody {
  if (text.length > maxBytes) return { ok: false, reply: bodyTooLarge(maxBytes) };
  try {
    // A JSON escape can leave a lone surrogate; store strings well-formed, as form data and query strings already are.
    return {
      ok: true,
      value: JSON.parse(text, (_key, value) =>
        typeof value === "string" ? value.replace(LONE_SURROGATE, "\uFFFD") : value,
      ),
    };
  } catch {
    return { ok: false, reply: apiErrorReply(400, "invalid_json", "The body is not valid JSON.") };
  }
}

/** The most any JSON API body may be; the decision listener uses the same. */
export const API_BODY_MAX_BYTES = 256 * 1024;

export type BodyBytes = { ok: true; bytes: Uint8Array<ArrayBuffer> } | { ok: false; reply: ApiReply };

/**
 * Reads a request body as it arrives and stops once it passes `maxBytes`: the
 * stream is cancelled and `tooLarge` answered, so a huge or endless chunked
 * body costs no more than the limit to refuse.
 */
export async function readBodyBytes(
  request: Request,
  maxBytes: number,
  tooLarge: ApiReply = bodyTooLarge(maxBytes),
): Promise<BodyBytes> {
  if (Number(request.headers.get("content-length") ?? 0) > maxBytes) return { ok: false, reply: tooLarge };
  if (!request.body) return { ok: true, bytes: new Uint8Array(0) };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        void reader.cancel().catch(() => {});
        return { ok: false, reply: tooLarge };
      }
      chunks.push(value);
    }
  } catch {
    return { ok: false, reply: apiErrorReply(400, "unreadable_body", "The request body could not be read.") };
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, bytes };
}

/** Reads a request's JSON body of at most `maxBytes`. */
export async function readJsonBody(request: Request, maxBytes: number): Promise<JsonBody> {
  const body = await readBodyBytes(request, maxBytes);
  // Decoded as Request.text() does: UTF-8, a leading byte-order mark dropped, bad bytes replaced.
  return body.ok ? parseJsonText(new TextDecoder().decode(body.bytes), maxBytes) : body;
}
