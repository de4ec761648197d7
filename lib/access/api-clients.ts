import "server-only";

import { desc, eq } from "drizzle-orm";

import { getDb } from "@/db/client";
import { apiClients, apiScopes, type ApiScope } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import { assertMay } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { sha256Hex } from "@/lib/crypto/hash";
import { randomToken } from "@/lib/crypto/tokens";
import { DomainError, NotFoundError } from "@/lib/errors";
import { forgetApiTokens } from "@/lib/http/api";

export const TOKEN_PREFIX = "clr_";

/** The token is returned once and stored only as a SHA-256 hash. */
export async function createApiClient(
  viewer: Viewer,
  context: AuditContext,
  input: { name: string; scopes: ApiScope[]; rateLimitPerMinute?: number },
  now = new Date(),
) {
  assertMay(viewer, "administer");
  const scopes = Array.from(new Set(input.scopes)).filter((s) => apiScopes.includes(s));
  if (scopes.length === 0) throw new DomainError("no_scope", "Choose at least one scope.");
  const token = `${TOKEN_PREFIX}${randomToken(32)}`;
  const db = await getDb();
  const client = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(apiClients)
      .values({
        name: input.name,
        scopes,
        tokenHash: sha256Hex(token),
        tokenPrefix: token.slice(0, 10),
        rateLimitPerMinute: input.rateLimitPerMinute ?? 6000,
        createdBy: viewer.id,
        createdAt: now,
      })
      .returning({ id: apiClients.id });
    await recordAudit(
      tx,
      context,
      { action: "api_client.created", targetType: "api_client", targetId: row.id, data: { name: input.name, scopes } },
      now,
    );
    return row;
  });
  return { id: client.id, token };
}

export async function listApiClients(viewer: Viewer) {
  assertMay(viewer, "administer");
  const db = await getDb();
  return db
    .select({
      id: apiClients.id,
      name: apiClients.name,
      scopes: apiClients.scopes,
      tokenPrefix: apiClients.tokenPrefix,
      rateLimitPerMinute: apiClients.rateLimitPerMinute,
      createdAt: apiClients.createdAt,
      lastUsedAt: apiClients.lastUsedAt,
      revokedAt: apiClients.revokedAt,
    })
    .from(apiClients)
    .orderBy(desc(apiClients.createdAt));
}

export async function revokeApiClient(viewer: Viewer, context: AuditContext, id: string, now = new Date()) {
  assertMay(viewer, "administer");
  const db = await getDb();
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(apiClients)
      .set({ revokedAt: now })
      .where(eq(apiClients.id, id))
      .returning({ id: apiClients.id });
    if (!row) throw new NotFoundError("That API client does not exist.");
    await recordAudit(tx, context, { action: "api_client.revoked", targetType: "api_client", targetId: id }, now);
  });
  // Other instances stop accepting the token within TOKEN_CACHE_MS.
  forgetApiTokens();
}
