import { NextResponse, type NextRequest } from "next/server";

import { contentSecurityPolicy, newNonce } from "./lib/http/csp";

/**
 * Gives every app page a Content-Security-Policy with a fresh nonce. Next.js
 * reads the nonce from the request's CSP header and puts it on the scripts
 * it renders, so an injected inline script has no nonce and does not run.
 */
export function proxy(request: NextRequest) {
  const policy = contentSecurityPolicy({ nonce: newNonce(), development: process.env.NODE_ENV === "development" });
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("Content-Security-Policy", policy);
  return response;
}

export const config = {
  matcher: [
    {
      // Not the APIs (including AuthZEN's /access/v1/ and /.well-known/), the framework's files, public files, nor the public HTML pages built at build time
      // (guides, privacy notice), which keep next.config.ts's strict policy and their static, cookie-free delivery.
      source:
        "/((?!api/|access/v1/|\\.well-known/|_next/static/|_next/image|favicon\\.ico|robots\\.txt|sitemap\\.xml|scripts/|styles/|guides(?:/|$)|privacy(?:/|$)).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
