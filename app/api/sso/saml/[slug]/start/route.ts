import { NextResponse, type NextRequest } from "next/server";

import { observed } from "@/lib/http/observe";
import { metaFromHeaders } from "@/lib/http/request-context";
import { SAML_REQUEST_COOKIE, startSamlSignIn } from "@/lib/identity/saml/sign-in";
import { ssoSignInResponse } from "@/lib/identity/sso/respond";

export const dynamic = "force-dynamic";

/** Public: sends the browser to the identity provider with an AuthnRequest (HTTP-Redirect binding). */
async function handleGet(request: NextRequest, { params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const meta = metaFromHeaders((name) => request.headers.get(name));
  const started = await startSamlSignIn(slug, request.nextUrl.searchParams.get("callbackUrl"), meta);
  if (!started.ok) return ssoSignInResponse(started.refusal, "/");
  const response = NextResponse.redirect(started.redirectUrl, 303);
  // Binds the sign-in to this browser. The IdP posts back from its own site, so SameSite=None (which needs Secure;
  // browsers accept Secure cookies from http://localhost for development).
  response.cookies.set(SAML_REQUEST_COOKIE, started.browserSecret, {
    httpOnly: true,
    secure: true,
    sameSite: "none",
    path: `/api/sso/saml/${encodeURIComponent(slug)}/acs`,
    maxAge: started.maxAgeSeconds,
  });
  return response;
}

export const GET = observed("/api/sso/saml/[slug]/start", handleGet);
