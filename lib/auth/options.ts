import "server-only";
import type { AuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { getDb } from "@/db/client";
import { recordAudit } from "@/lib/audit/record";
import { env } from "@/lib/env";
import { metaFromHeaders } from "@/lib/http/request-context";
import { safeReturnPath } from "@/lib/http/return-path";
import { authenticate } from "./authenticate";
import { revokeSession, SESSION_MAX_AGE_SECONDS, startSession } from "./sessions";

export { SESSION_MAX_AGE_SECONDS } from "./sessions";

/**
 * The session cookie: never readable by scripts, not sent on cross-site
 * subrequests, and Secure (with the __Secure- prefix) whenever the app is
 * served over HTTPS, as it must be in production.
 */
export function sessionCookie(appUrl: string) {
  const secure = appUrl.startsWith("https://");
  return { name: `${secure ? "__Secure-" : ""}next-auth.session-token`, options: { httpOnly: true, sameSite: "lax" as const, path: "/", secure } };
}

const credentialsSchema = z.object({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(1024),
  code: z.string().max(32).optional(),
});

/**
 * next-auth reads this lazily per request, so the secret comes from the env
 * module at run time rather than at build.
 */
export const authOptions: AuthOptions = {
  get secret() {
    return env().NEXTAUTH_SECRET;
  },
  get useSecureCookies() {
    return sessionCookie(env().APP_URL).options.secure;
  },
  get cookies() {
    return { sessionToken: sessionCookie(env().APP_URL) };
  },
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
  jwt: { maxAge: SESSION_MAX_AGE_SECONDS },
  pages: { signIn: "/signin", error: "/signin" },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { type: "email" }, password: { type: "password" }, code: { type: "text" } },
      async authorize(credentials, req) {
        const parsed = credentialsSchema.safeParse(credentials ?? {});
        if (!parsed.success) throw new Error("invalid_credentials");
        const meta = metaFromHeaders((name) => {
          const value = req?.headers?.[name];
          return Array.isArray(value) ? value[0] : (value as string | undefined);
        });
        const result = await authenticate({ ...parsed.data, code: parsed.data.code || undefined, ...meta });
        if (!result.ok) throw new Error(result.reason === "locked" ? `locked:${result.retryInMinutes}` : result.reason);
        const sid = await startSession(await getDb(), { personId: result.personId, method: result.method, ...meta });
        return { id: result.personId, sid };
      },
    }),
  ],
  callbacks: {
    // Every callbackUrl next-auth follows (sign-in, sign-out) becomes a path on this origin.
    redirect({ url, baseUrl }) {
      const origin = new URL(baseUrl).origin;
      return `${origin}${safeReturnPath(url, "/", origin)}`;
    },
    async jwt({ token, user }) {
      if (user) {
        token.sub = user.id;
        token.sid = (user as { sid?: string }).sid;
      }
      return token;
    },
    async session({ session, token }) {
      return { expires: session.expires, user: { id: token.sub as string, sid: typeof token.sid === "string" ? token.sid : "" } };
    },
  },
  events: {
    async signOut({ token }) {
      if (!token?.sub) return;
      const db = await getDb();
      // The cookie is cleared in this browser; ending the record refuses any copy of it elsewhere.
      if (typeof token.sid === "string") await revokeSession(db, token.sid, "signed_out");
      await recordAudit(db, { actorId: token.sub, actorLabel: token.sub }, { action: "auth.signed_out", targetType: "person", targetId: token.sub });
    },
  },
};
