import "server-only";

import { getDb, type Executor } from "@/db/client";
import { isUniqueViolation } from "@/db/errors";
import type { AuditContext } from "@/lib/audit/record";

import { ScimError } from "./errors";

/** The SCIM client making a change: every audit event names it as the actor. */
export type ScimActor = { clientId: string; clientName: string; ip?: string | null; userAgent?: string | null };

export function scimAuditContext(actor: ScimActor): AuditContext {
  return {
    actorId: null,
    actorLabel: `scim:${actor.clientName} (${actor.clientId})`,
    ip: actor.ip ?? null,
    userAgent: actor.userAgent ?? null,
  };
}

/** A unique constraint refused the write (two requests raced past the checks): SCIM's 409 `uniqueness`. */
export function uniquenessOr(error: unknown): unknown {
  if (isUniqueViolation(error)) return new ScimError(409, "Another resource already has that value.", "uniqueness");
  return error;
}

/** Runs a SCIM change in one transaction; a unique key that refused it is a 409, so nothing is half-written. */
export async function scimTransaction<T>(work: (tx: Executor) => Promise<T>): Promise<T> {
  const db = await getDb();
  try {
    return await db.transaction(work);
  } catch (error) {
    throw uniquenessOr(error);
  }
}

/** `startIndex` and `count` as RFC 7644 §3.4.2.4 reads them: 1-based, out-of-range values clamped. */
export function paging(params: URLSearchParams, max = 200): { startIndex: number; count: number } {
  const start = Number.parseInt(params.get("startIndex") ?? "1", 10);
  const count = Number.parseInt(params.get("count") ?? String(max), 10);
  return {
    startIndex: Number.isFinite(start) && start >= 1 ? Math.min(start, 1_000_000_000) : 1,
    count: Number.isFinite(count) ? Math.max(0, Math.min(count, max)) : max,
  };
}

export const LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

export function listResponse(resources: unknown[], total: number, startIndex: number) {
  return {
    schemas: [LIST_SCHEMA],
    totalResults: total,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}
