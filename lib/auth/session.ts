import "server-only";

import { encode } from "next-auth/jwt";
import { cookies } from "next/headers";

import { getDb } from "@/db/client";
import { env } from "@/lib/env";
import type { RequestMeta } from "@/lib/http/request-context";

import { sessionCookie } from "./options";
import { revokeSessionsOf, SESSION_MAX_AGE_SECONDS, startSession, type RevokeReason } from "./sessions";

/**
 * Ends every session of the person and gives this browser a new one. For
 * Server Actions that change the caller's own privileges (MFA enrolment):
 * every earlier cookie, this browser's included, stops working, and the
 * person stays signed in here.
 */
export async function reissueSession(
  personId: string,
  method: string,
  meta: RequestMeta,
  reason: RevokeReason,
): Promise<void> {
  const db = await getDb();
  const sid = await db.transaction(async (tx) => {
    await revokeSessionsOf(tx, personId, reason);
    return startSession(tx, { personId, method, ...meta });
  });
  await setSessionCookie(personId, sid);
}

/** Points this browser's cookie at session `sid`, opened by the caller (in the transaction that changed the person). */
export async function setSessionCookie(personId: string, sid: string): Promise<void> {
  const { NEXTAUTH_SECRET, APP_URL } = env();
  const cookie = sessionCookie(APP_URL);
  const value = await encode({
    token: { sub: personId, sid },
    secret: NEXTAUTH_SECRET,
    maxAge: SESSION_MAX_AGE_SECONDS,
  });
  (await cookies()).set(cookie.name, value, { ...cookie.options, maxAge: SESSION_MAX_AGE_SECONDS });
}
