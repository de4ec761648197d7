import "server-only";

import { NextResponse } from "next/server";

import { env } from "@/lib/env";

import type { SsoCompletion } from "./complete";
import { HANDOFF_TTL_MS, SSO_BROWSER_COOKIE } from "./handoff";

/**
 * The answer to the browser at the end of a provider's round trip (OIDC
 * callback, SAML assertion consumer): to the sign-in page, which exchanges
 * the handoff token (in the fragment, so it reaches neither server logs nor
 * Referer headers) for a session, with the cookie that binds it to this
 * browser; or to the sign-in page with the reason it was refused (and, for
 * a SAML response, the protocol's reason: `sso_detail`, a fixed code).
 */
export function ssoSignInResponse(outcome: SsoCompletion, returnTo: string, detail?: string): NextResponse {
  const appUrl = env().APP_URL;
  const target = new URL("/signin", appUrl);
  if (returnTo && returnTo !== "/") target.searchParams.set("callbackUrl", returnTo);
  if (!outcome.ok) {
    target.searchParams.set("sso_error", outcome.reason);
    if (detail) target.searchParams.set("sso_detail", detail);
    return NextResponse.redirect(target, 303);
  }
  target.hash = `sso=${outcome.handoffToken}`;
  const response = NextResponse.redirect(target, 303);
  response.cookies.set(SSO_BROWSER_COOKIE, outcome.browserSecret, {
    httpOnly: true,
    sameSite: "lax",
    secure: appUrl.startsWith("https://"),
    path: "/",
    maxAge: Math.round(HANDOFF_TTL_MS / 1000),
  });
  return response;
}
