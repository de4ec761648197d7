import { NextResponse, type NextRequest } from "next/server";

import { env } from "@/lib/env";
import { observed } from "@/lib/http/observe";
import { metaFromHeaders } from "@/lib/http/request-context";
import { OIDC_REQUEST_COOKIE, startOidcSignIn } from "@/lib/identity/oidc/sign-in";
import { ssoSignInResponse } from "@/lib/identity/sso/respond";

export const dynamic = "force-dynamic";

/** Public: sends the browser to the identity provider's login page, with this sign-in's state sealed in a cookie. */
async function handleGet(request: NextRequest, { params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const meta = metaFromHeaders((name) => request.headers.get(name));
  const started = await startOidcSignIn(slug, request.nextUrl.searchParams.get("callbackUrl"), meta);
  if (!started.ok) return ssoSignInResponse(started.refusal, "/");
  const response = NextResponse.redirect(started.authorizationUrl, 303);
  response.cookies.set(OIDC_REQUEST_COOKIE, started.cookie, {
    httpOnly: true,
    // Lax: the provider's redirect back is a top-level navigation, which carries it.
    sameSite: "lax",
    secure: env().APP_URL.startsWith("https://"),
    path: started.cookiePath,
    maxAge: started.maxAgeSeconds,
  });
  return response;
}

export const GET = observed("/api/sso/oidc/[slug]/start", handleGet);
