import "server-only";

import { and, desc, eq, gt, isNull, lt, ne } from "drizzle-orm";

import { getDb, type Executor } from "@/db/client";
import { identityProviders, people, sessions } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import { NotFoundError } from "@/lib/errors";
import { MINUTE } from "@/lib/time";

import type { Viewer } from "./roles";
import { privilegeStamp } from "./session-stamp";
import { describeSignInMethod } from "./sign-in-method.rules";

/** Sessions last 8 hours from sign-in, however active. */
export const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;
/** How stale "last seen" may get before a request writes it again. */
const LAST_SEEN_EVERY_MS = MINUTE;

export type RevokeReason =
  | "signed_out"
  | "signed_out_by_person"
  | "signed_out_everywhere"
  | "privileges_changed"
  | "status_changed"
  | "roles_changed"
  | "password_changed"
  | "mfa_changed"
  | "anonymised";

/** Opens a session for a person who has just proved who they are; the cookie will carry its id. */
export async function startSession(
  db: Executor,
  input: {
    personId: string;
    method: string;
    ip: string;
    userAgent: string | null;
    /** The identity provider that vouched for the person, and whether its MFA counts for this session. */
    ssoProviderId?: string;
    mfaByIdp?: boolean;
  },
  now = new Date(),
): Promise<string> {
  const [person] = await db
    .select({ roles: people.roles, mfaEnabledAt: people.mfaEnabledAt, passwordHash: people.passwordHash })
    .from(people)
    .where(eq(people.id, input.personId));
  const [row] = await db
    .insert(sessions)
    .values({
      personId: input.personId,
      stamp: privilegeStamp(person),
      method: input.method,
      ip: input.ip,
      userAgent: input.userAgent?.slice(0, 512) ?? null,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + SESSION_MAX_AGE_SECONDS * 1000),
      ssoProviderId: input.ssoProviderId ?? null,
      mfaByIdp: input.mfaByIdp ?? false,
    })
    .returning({ id: sessions.id });
  return row.id;
}

export type LiveSession = { id: string; personId: string; stamp: string; lastSeenAt: Date };

/** The session a cookie names, if it is neither revoked nor expired. */
export async function liveSession(db: Executor, sessionId: string, now = new Date()): Promise<LiveSession | null> {
  const [row] = await db
    .select({ id: sessions.id, personId: sessions.personId, stamp: sessions.stamp, lastSeenAt: sessions.lastSeenAt })
    .from(sessions)
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
    .limit(1);
  return row ?? null;
}

/** Records activity at most once a minute per session. */
export async function touchSession(db: Executor, session: LiveSession, now = new Date()): Promise<void> {
  if (now.getTime() - session.lastSeenAt.getTime() < LAST_SEEN_EVERY_MS) return;
  await db
    .update(sessions)
    .set({ lastSeenAt: now })
    .where(and(eq(sessions.id, session.id), lt(sessions.lastSeenAt, new Date(now.getTime() - LAST_SEEN_EVERY_MS))));
}

export async function revokeSession(
  db: Executor,
  sessionId: string,
  reason: RevokeReason,
  now = new Date(),
): Promise<void> {
  await db
    .update(sessions)
    .set({ revokedAt: now, revokedReason: reason })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
}

/**
 * Ends every open session of a person (but `exceptId`). Call it in the
 * transaction that suspends, removes, re-roles or re-keys the person, so the
 * change and the end of their sessions commit together.
 */
export async function revokeSessionsOf(
  db: Executor,
  personId: string,
  reason: RevokeReason,
  now = new Date(),
  exceptId?: string,
): Promise<number> {
  const open = and(
    eq(sessions.personId, personId),
    isNull(sessions.revokedAt),
    exceptId ? ne(sessions.id, exceptId) : undefined,
  );
  const ended = await db
    .update(sessions)
    .set({ revokedAt: now, revokedReason: reason })
    .where(open)
    .returning({ id: sessions.id });
  return ended.length;
}

export type SessionListing = {
  id: string;
  current: boolean;
  device: string;
  ip: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  /** How the session was opened, in words (password and a second factor, a passkey, or single sign-on). */
  method: string;
};

/** A person's open sessions, newest activity first, for /account. */
export async function mySessions(
  viewer: Viewer,
  currentId: string | null,
  now = new Date(),
): Promise<SessionListing[]> {
  const db = await getDb();
  const rows = await db
    .select({
      id: sessions.id,
      userAgent: sessions.userAgent,
      ip: sessions.ip,
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
      method: sessions.method,
      mfaByIdp: sessions.mfaByIdp,
      providerName: identityProviders.name,
    })
    .from(sessions)
    .leftJoin(identityProviders, eq(identityProviders.id, sessions.ssoProviderId))
    .where(and(eq(sessions.personId, viewer.id), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
    .orderBy(desc(sessions.lastSeenAt));
  return rows.map((r) => ({
    id: r.id,
    current: r.id === currentId,
    device: describeDevice(r.userAgent),
    ip: r.ip,
    createdAt: r.createdAt,
    lastSeenAt: r.lastSeenAt,
    method: describeSignInMethod(r),
  }));
}

/** A person signs one of their own sessions out; another person's session id is "not found". */
export async function signOutSession(
  viewer: Viewer,
  sessionId: string,
  context: AuditContext,
  now = new Date(),
): Promise<void> {
  const db = await getDb();
  await db.transaction(async (tx) => {
    const ended = await tx
      .update(sessions)
      .set({ revokedAt: now, revokedReason: "signed_out_by_person" })
      .where(and(eq(sessions.id, sessionId), eq(sessions.personId, viewer.id), isNull(sessions.revokedAt)))
      .returning({ id: sessions.id });
    if (ended.length === 0) throw new NotFoundError("That session has already ended.");
    await recordAudit(
      tx,
      context,
      { action: "auth.session_ended", targetType: "person", targetId: viewer.id, data: { session: sessionId } },
      now,
    );
  });
}

/** Ends every session of the person, this one included. */
export async function signOutEverywhere(viewer: Viewer, context: AuditContext, now = new Date()): Promise<number> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const count = await revokeSessionsOf(tx, viewer.id, "signed_out_everywhere", now);
    await recordAudit(
      tx,
      context,
      { action: "auth.signed_out_everywhere", targetType: "person", targetId: viewer.id, data: { sessions: count } },
      now,
    );
    return count;
  });
}

/** "Firefox on Windows" from a user agent, enough for a person to recognise their own devices. */
export function describeDevice(userAgent: string | null): string {
  if (!userAgent) return "Unknown device";
  const browser = /Edg\//.test(userAgent)
    ? "Edge"
    : /OPR\//.test(userAgent)
      ? "Opera"
      : /Firefox\//.test(userAgent)
        ? "Firefox"
        : /Chrome\//.test(userAgent)
          ? "Chrome"
          : /Safari\//.test(userAgent)
            ? "Safari"
            : null;
  const os = /iPhone|iPad/.test(userAgent)
    ? "iOS"
    : /Android/.test(userAgent)
      ? "Android"
      : /Windows/.test(userAgent)
        ? "Windows"
        : /Mac OS X|Macintosh/.test(userAgent)
          ? "macOS"
          : /Linux/.test(userAgent)
            ? "Linux"
            : null;
  if (browser && os) return `${browser} on ${os}`;
  return browser ?? os ?? "Unknown device";
}
