import "server-only";

import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { getServerSession } from "next-auth";
import { cache } from "react";

import { getDb } from "@/db/client";
import { identityProviders, people, sessions, type AppRole } from "@/db/schema";
import type { AuditContext } from "@/lib/audit/record";
import { requestMeta } from "@/lib/http/request-context";
import { isUuid } from "@/lib/ids";

import { authOptions } from "./options";
import { MFA_REQUIRED_ROLES, type Viewer } from "./roles";
import { privilegeStamp } from "./session-stamp";
import { revokeSession, touchSession } from "./sessions";

export { hasRole, MFA_REQUIRED_ROLES, type Viewer } from "./roles";

/**
 * The signed-in person, re-read from the database once per request with the
 * session record the cookie names: a signed-out, revoked or expired session,
 * a suspension or departure apply at the next request on every instance, and
 * a change of roles, MFA or password ends the session for good.
 */
export const getViewer = cache(async (): Promise<Viewer | null> => {
  const session = await getServerSession(authOptions);
  const id = session?.user?.id;
  const sid = session?.user?.sid;
  if (!id || !sid || !isUuid(sid)) return null;
  const db = await getDb();
  const now = new Date();
  const [row] = await db
    .select({
      id: people.id,
      email: people.email,
      name: people.name,
      roles: people.roles,
      status: people.status,
      departmentId: people.departmentId,
      mfaEnabledAt: people.mfaEnabledAt,
      passwordHash: people.passwordHash,
      session: { id: sessions.id, personId: sessions.personId, stamp: sessions.stamp, lastSeenAt: sessions.lastSeenAt },
      mfaByIdp: sessions.mfaByIdp,
      // The provider is read live: disabling it, or no longer trusting its MFA, takes effect at the next request.
      providerTrusted: sql<boolean>`coalesce(${identityProviders.enabled} and ${identityProviders.acceptIdpMfa}, false)`,
    })
    .from(sessions)
    .innerJoin(people, eq(people.id, sessions.personId))
    .leftJoin(identityProviders, eq(identityProviders.id, sessions.ssoProviderId))
    .where(
      and(eq(sessions.id, sid), eq(sessions.personId, id), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)),
    )
    .limit(1);
  if (!row || row.status !== "active") return null;
  // Roles, MFA or password changed since this session began: it no longer speaks for the person, even if they change back.
  if (privilegeStamp(row) !== row.session.stamp) {
    await revokeSession(db, sid, "privileges_changed", now);
    return null;
  }
  await touchSession(db, row.session, now);
  const roles = row.roles as AppRole[];
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    roles,
    departmentId: row.departmentId,
    mfaEnabled: row.mfaEnabledAt !== null,
    mfaRequired: roles.some((r) => MFA_REQUIRED_ROLES.includes(r)),
    mfaByIdp: row.mfaByIdp && Boolean(row.providerTrusted),
  };
});

/** The id of the session this request speaks for, to mark "this browser" among a person's sessions. */
export async function currentSessionId(): Promise<string | null> {
  const session = await getServerSession(authOptions);
  return session?.user?.sid ?? null;
}

export async function auditContext(viewer: Viewer | null): Promise<AuditContext> {
  const meta = await requestMeta();
  return { actorId: viewer?.id ?? null, actorLabel: viewer?.email ?? "anonymous", ...meta };
}
