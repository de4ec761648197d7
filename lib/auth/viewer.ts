import "server-only";
import { eq } from "drizzle-orm";
import { getServerSession } from "next-auth";
import { forbidden, redirect } from "next/navigation";
import { cache } from "react";
import { getDb } from "@/db/client";
import { people, type AppRole } from "@/db/schema";
import type { AuditContext } from "@/lib/audit/record";
import { requestMeta } from "@/lib/http/request-context";
import { apiError } from "@/lib/http/responses";
import { authOptions } from "./options";
import { privilegeStamp } from "./session-stamp";
import { hasRole, MFA_REQUIRED_ROLES, type Viewer } from "./roles";

export { hasRole, MFA_REQUIRED_ROLES, type Viewer } from "./roles";

/**
 * The signed-in person, re-read from the database once per request: a
 * suspension or departure applies at the next request, and a change of
 * roles, MFA or password ends the session.
 */
export const getViewer = cache(async (): Promise<Viewer | null> => {
  const session = await getServerSession(authOptions);
  const id = session?.user?.id;
  if (!id) return null;
  const db = await getDb();
  const [person] = await db
    .select({
      id: people.id,
      email: people.email,
      name: people.name,
      roles: people.roles,
      status: people.status,
      departmentId: people.departmentId,
      mfaEnabledAt: people.mfaEnabledAt,
      passwordHash: people.passwordHash,
    })
    .from(people)
    .where(eq(people.id, id))
    .limit(1);
  if (!person || person.status !== "active") return null;
  // Roles, MFA or password changed since this session was issued: it no longer speaks for the person.
  if (privilegeStamp(person) !== session.user.stamp) return null;
  const roles = person.roles as AppRole[];
  return {
    id: person.id,
    email: person.email,
    name: person.name,
    roles,
    departmentId: person.departmentId,
    mfaEnabled: person.mfaEnabledAt !== null,
    mfaRequired: roles.some((r) => MFA_REQUIRED_ROLES.includes(r)),
  };
});

/** For pages: sends visitors to sign-in, and people who must enrol MFA to enrolment. */
export async function requireViewer(options: { allowMfaPending?: boolean } = {}): Promise<Viewer> {
  const viewer = await getViewer();
  if (!viewer) redirect("/signin");
  if (viewer.mfaRequired && !viewer.mfaEnabled && !options.allowMfaPending) redirect("/account/mfa");
  return viewer;
}

export async function requireRole(...roles: AppRole[]): Promise<Viewer> {
  const viewer = await requireViewer();
  if (!hasRole(viewer, ...roles)) forbidden();
  return viewer;
}

export async function auditContext(viewer: Viewer | null): Promise<AuditContext> {
  const meta = await requestMeta();
  return { actorId: viewer?.id ?? null, actorLabel: viewer?.email ?? "anonymous", ...meta };
}

/**
 * The signed-in viewer for a route handler that answers JSON or a file: a
 * 401 when signed out, a 403 while MFA is still to be set up or without one
 * of `roles`, each in the API's error shape.
 */
export async function routeViewer(roles: AppRole[], messages: { signedOut: string; forbidden: string }): Promise<{ ok: true; viewer: Viewer } | { ok: false; response: Response }> {
  const viewer = await getViewer();
  if (!viewer) return { ok: false, response: apiError(401, "unauthenticated", messages.signedOut) };
  if (viewer.mfaRequired && !viewer.mfaEnabled) return { ok: false, response: apiError(403, "mfa_required", "Turn on two-factor authentication first.") };
  if (!hasRole(viewer, ...roles)) return { ok: false, response: apiError(403, "forbidden", messages.forbidden) };
  return { ok: true, viewer };
}
