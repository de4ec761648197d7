import "server-only";
import { eq } from "drizzle-orm";
import { getServerSession } from "next-auth";
import { cache } from "react";
import { getDb } from "@/db/client";
import { people, type AppRole } from "@/db/schema";
import type { AuditContext } from "@/lib/audit/record";
import { requestMeta } from "@/lib/http/request-context";
import { authOptions } from "./options";
import { privilegeStamp } from "./session-stamp";
import { MFA_REQUIRED_ROLES, type Viewer } from "./roles";

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

export async function auditContext(viewer: Viewer | null): Promise<AuditContext> {
  const meta = await requestMeta();
  return { actorId: viewer?.id ?? null, actorLabel: viewer?.email ?? "anonymous", ...meta };
}
