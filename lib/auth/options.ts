import "server-only";

import type { AuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";

import { getDb } from "@/db/client";
import { recordAudit } from "@/lib/audit/record";
import { env } from "@/lib/env";
import { metaFromHeaders } from "@/lib/http/request-context";
import { safeReturnPath } from "@/lib/http/return-path";
import { exchangeSsoHandoff, SSO_BROWSER_COOKIE } from "@/lib/identity/sso/handoff";
import { log } from "@/lib/log";

import { authenticate } from "./authenticate";
import { signInWithPasskey } from "./passkey-sign-in";
import { revokeSession, SESSION_MAX_AGE_SECONDS, startSession } from "./sessions";
import { parsePasskeyAnswer, PASSKEY_BROWSER_COOKIE } from "./webauthn";

export { SESSION_MAX_AGE_SECONDS } from "./sessions";

/**
 * The session cookie: never readable by scripts, not sent on cross-site
 * subrequests, and Secure (with the __Secure- prefix) whenever the app is
 * served over HTTPS, as it must be in production.
 */
export function sessionCookie(appUrl: string) {
  const secure = appUrl.startsWith("https://");
  return {
    name: `${secure ? "__Secure-" : ""}next-auth.session-token`,
    options: { httpOnly: true, sameSite: "lax" as const, path: "/", secure },
  };
}

const credentialsSchema = z.object({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(1024),
  code: z.string().max(32).optional(),
  passkey: z.string().max(16_384).optional(),
});

type RequestLike = { headers?: Record<string, unknown> } | undefined;

function headerOf(req: RequestLike, name: string): string | undefined {
  const value = req?.headers?.[name];
  return Array.isArray(value) ? value[0] : (value as string | undefined);
}

function cookieOf(req: RequestLike, cookie: string): string | null {
  const cookies = headerOf(req, "cookie") ?? "";
  for (const part of cookies.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === cookie) return decodeURIComponent(rest.join("=")) || null;
  }
  return null;
}

/** The secret that binds a passkey prompt to this browser (set by the prompt's Server Action). */
function browserSecret(req: RequestLike): string | null {
  return cookieOf(req, PASSKEY_BROWSER_COOKIE);
}

const ssoSchema = z.object({
  token: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/),
  code: z.string().max(32).optional(),
  passkey: z.string().max(16_384).optional(),
});

function parsePasskey(json: string | undefined, req: RequestLike) {
  if (!json) return undefined;
  const secret = browserSecret(req);
  const answer = parsePasskeyAnswer(json);
  if (!answer || !secret) throw new Error("invalid_passkey");
  return { response: answer as never, browserSecret: secret };
}

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
  // next-auth's own messages go through the app's logger: JSON, with the request's id, scrubbed of addresses and tokens.
  logger: {
    error: (code, metadata) =>
      log().error(metadata instanceof Error ? { err: metadata, code } : { ...metadata, code }, "next-auth error"),
    warn: (code) => log().warn({ code }, "next-auth warning"),
    debug: (code) => log().debug({ code }, "next-auth debug"),
  },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { type: "email" }, password: { type: "password" }, code: { type: "text" } },
      async authorize(credentials, req) {
        const parsed = credentialsSchema.safeParse(credentials ?? {});
        if (!parsed.success) throw new Error("invalid_credentials");
        const meta = metaFromHeaders((name) => headerOf(req, name));
        const passkey = parsePasskey(parsed.data.passkey, req);
        const result = await authenticate({ ...parsed.data, code: parsed.data.code || undefined, passkey, ...meta });
        if (!result.ok) {
          if (result.reason === "locked") throw new Error(`locked:${result.retryInMinutes}`);
          // Which second factors the person has, so the form offers those.
          if (result.reason === "mfa_required") throw new Error(`mfa_required:${(result.factors ?? []).join(",")}`);
          throw new Error(result.reason);
        }
        const sid = await startSession(await getDb(), { personId: result.personId, method: result.method, ...meta });
        return { id: result.personId, sid };
      },
    }),
    // Passwordless: a passkey unlocked on the person's device is both factors. Opens a session the same way.
    CredentialsProvider({
      id: "passkey",
      name: "Passkey",
      credentials: { passkey: { type: "text" } },
      async authorize(credentials, req) {
        const meta = metaFromHeaders((name) => headerOf(req, name));
        const json =
          typeof credentials?.passkey === "string" && credentials.passkey.length <= 16_384
            ? credentials.passkey
            : undefined;
        const passkey = parsePasskey(json, req);
        if (!passkey) throw new Error("invalid_passkey");
        const result = await signInWithPasskey({ ...passkey, ...meta });
        if (!result.ok) throw new Error(result.reason === "locked" ? `locked:${result.retryInMinutes}` : result.reason);
        const sid = await startSession(await getDb(), { personId: result.personId, method: "passkey", ...meta });
        return { id: result.personId, sid };
      },
    }),
    // Single sign-on: the one-time token an identity provider's round trip left for this browser (lib/identity/sso).
    CredentialsProvider({
      id: "sso",
      name: "Single sign-on",
      credentials: { token: { type: "text" }, code: { type: "text" }, passkey: { type: "text" } },
      async authorize(credentials, req) {
        const parsed = ssoSchema.safeParse(credentials ?? {});
        const secret = cookieOf(req, SSO_BROWSER_COOKIE);
        if (!parsed.success || !secret) throw new Error("handoff_invalid");
        const meta = metaFromHeaders((name) => headerOf(req, name));
        const passkey = parsePasskey(parsed.data.passkey || undefined, req);
        const result = await exchangeSsoHandoff({
          token: parsed.data.token,
          browserSecret: secret,
          code: parsed.data.code || undefined,
          passkey,
          ...meta,
        });
        if (!result.ok) {
          if (result.reason === "locked") throw new Error(`locked:${result.retryInMinutes}`);
          if (result.reason === "mfa_required") throw new Error(`mfa_required:${(result.factors ?? []).join(",")}`);
          throw new Error(result.reason);
        }
        const sid = await startSession(await getDb(), {
          personId: result.personId,
          method: result.method,
          ssoProviderId: result.providerId,
          mfaByIdp: result.mfaByIdp,
          ...meta,
        });
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
      return {
        expires: session.expires,
        user: { id: token.sub as string, sid: typeof token.sid === "string" ? token.sid : "" },
      };
    },
  },
  events: {
    async signOut({ token }) {
      if (!token?.sub) return;
      const db = await getDb();
      // The cookie is cleared in this browser; ending the record refuses any copy of it elsewhere.
      if (typeof token.sid === "string") await revokeSession(db, token.sid, "signed_out");
      await recordAudit(
        db,
        { actorId: token.sub, actorLabel: token.sub },
        { action: "auth.signed_out", targetType: "person", targetId: token.sub },
      );
    },
  },
};
