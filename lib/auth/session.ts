import "server-only";
import { eq } from "drizzle-orm";
import { encode } from "next-auth/jwt";
import { cookies } from "next/headers";
import { getDb } from "@/db/client";
import { people } from "@/db/schema";
import { env } from "@/lib/env";
import { SESSION_MAX_AGE_SECONDS, sessionCookie } from "./options";
import { privilegeStamp } from "./session-stamp";

/**
 * Replaces the caller's session cookie with a new session carrying the
 * person's current privilege stamp. For Server Actions that change the
 * caller's own privileges (MFA enrolment): the old cookie stops working,
 * the person stays signed in.
 */
export async function reissueSession(personId: string): Promise<void> {
  const db = await getDb();
  const [person] = await db.select({ roles: people.roles, mfaEnabledAt: people.mfaEnabledAt, passwordHash: people.passwordHash }).from(people).where(eq(people.id, personId));
  if (!person) return;
  const { NEXTAUTH_SECRET, APP_URL } = env();
  const cookie = sessionCookie(APP_URL);
  const value = await encode({ token: { sub: personId, stamp: privilegeStamp(person) }, secret: NEXTAUTH_SECRET, maxAge: SESSION_MAX_AGE_SECONDS });
  (await cookies()).set(cookie.name, value, { ...cookie.options, maxAge: SESSION_MAX_AGE_SECONDS });
}
