import "server-only";
import { eq } from "drizzle-orm";
import type { z } from "zod";
import { getDb, type Db } from "@/db/client";
import { apiClients, type ApiScope } from "@/db/schema";
import { sha256Hex } from "@/lib/crypto/tokens";
import { apiError } from "./responses";
import { hitSharedRateLimit } from "./rate-limit";

export type ApiClient = { id: string; name: string; scopes: string[] };

const LAST_USED_RESOLUTION_MS = 60_000;
/** How long an instance trusts what it read about a token; revocation on this instance applies at once. */
export const TOKEN_CACHE_MS = 5_000;
const TOKEN_CACHE_MAX = 1_000;

type TokenRecord = { id: string; name: string; scopes: string[]; revokedAt: Date | null; lastUsedAt: Date | null; limit: number };
// One cache per process: route handlers and the Server Action that revokes a token are bundled apart, so module state would not be shared.
const processState = globalThis as unknown as { __clearanceTokenCache?: Map<string, { record: TokenRecord | null; readAt: number }> };
const tokenCache = (processState.__clearanceTokenCache ??= new Map());

/** Drops what this instance remembers about tokens (after a revocation). */
export function forgetApiTokens(): void {
  tokenCache.clear();
}

async function tokenRecord(db: Db, tokenHash: string): Promise<TokenRecord | null> {
  const cached = tokenCache.get(tokenHash);
  if (cached && Date.now() - cached.readAt < TOKEN_CACHE_MS) return cached.record;
  const [record = null] = await db
    .select({ id: apiClients.id, name: apiClients.name, scopes: apiClients.scopes, revokedAt: apiClients.revokedAt, lastUsedAt: apiClients.lastUsedAt, limit: apiClients.rateLimitPerMinute })
    .from(apiClients)
    .where(eq(apiClients.tokenHash, tokenHash))
    .limit(1);
  if (tokenCache.size >= TOKEN_CACHE_MAX) tokenCache.clear();
  tokenCache.set(tokenHash, { record, readAt: Date.now() });
  return record;
}

/**
 * Authenticates a bearer token, checks its scope and its per-minute rate
 * limit, then runs the handler. Errors follow the API shape
 * `{ error: { code, message } }` with 401, 403 or 429. What a token is allowed
 * is re-read at most every TOKEN_CACHE_MS, so a busy client costs no lookup
 * per request.
 */
export async function withApiClient(request: Request, scope: ApiScope, handler: (client: ApiClient) => Promise<Response>): Promise<Response> {
  const header = request.headers.get("authorization") ?? "";
  const match = header.match(/^Bearer\s+(\S+)$/i);
  if (!match) return apiError(401, "unauthenticated", "Send an API token as 'Authorization: Bearer <token>'.", { "WWW-Authenticate": 'Bearer realm="clearance"' });
  const db = await getDb();
  const client = await tokenRecord(db, sha256Hex(match[1]));
  if (!client || client.revokedAt) return apiError(401, "invalid_token", "The API token is not valid or has been revoked.", { "WWW-Authenticate": 'Bearer error="invalid_token"' });
  if (!client.scopes.includes(scope)) return apiError(403, "insufficient_scope", `This token does not have the "${scope}" scope.`);
  const now = new Date();
  const rate = await hitSharedRateLimit(db, `api:${client.id}`, client.limit, 60, now);
  if (!rate.allowed) return apiError(429, "rate_limited", `Too many requests: the limit is ${client.limit} per minute.`, { "Retry-After": String(rate.retryAfterSeconds) });
  if (!client.lastUsedAt || now.getTime() - client.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    client.lastUsedAt = now;
    await db.update(apiClients).set({ lastUsedAt: now }).where(eq(apiClients.id, client.id));
  }
  return handler({ id: client.id, name: client.name, scopes: client.scopes });
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Parses with zod and answers 400 with field messages when the input is wrong. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown): { ok: true; data: z.infer<S> } | { ok: false; response: Response } {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, data: result.data };
  const fields = result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  const first = fields[0];
  return {
    ok: false,
    response: Response.json({ error: { code: "invalid_request", message: first ? `${first.path || "body"}: ${first.message}` : "Invalid request.", fields } }, { status: 400 }),
  };
}

export async function readJson(request: Request, maxBytes: number): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  const length = Number(request.headers.get("content-length") ?? 0);
  if (length > maxBytes) return { ok: false, response: apiError(413, "payload_too_large", `The body must be at most ${Math.round(maxBytes / 1024)} KB.`) };
  const text = await request.text();
  if (text.length > maxBytes) return { ok: false, response: apiError(413, "payload_too_large", `The body must be at most ${Math.round(maxBytes / 1024)} KB.`) };
  try {
    // A JSON escape can leave a lone surrogate; store strings well-formed, as form data and query strings already are.
    return { ok: true, value: JSON.parse(text, (_key, value) => (typeof value === "string" ? value.replace(LONE_SURROGATE, "\uFFFD") : value)) };
  } catch {
    return { ok: false, response: apiError(400, "invalid_json", "The body is not valid JSON.") };
  }
}
