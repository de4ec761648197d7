import { NextResponse, type NextRequest } from "next/server";

import { contentSecurityPolicy, newNonce } from "./lib/http/csp";
import { REQUEST_ID_HEADER, requestIdFrom } from "./lib/http/request-id";

/**
 * Gives every app page a Content-Security-Policy with a fresh nonce. Next.js
 * reads the nonce from the request's CSP header and puts it on the scripts
 * it renders, so an injected inline script has no nonce and does not run.
 *
 * It also gives the request its id: the caller's X-Request-Id when well
 * formed, else a new one, forwarded to the page or Server Action (whose log
 * lines carry it, lib/http/request-log.ts) and echoed on the response. Route
 * handlers outside this matcher (the APIs) do the same in lib/http/observe.ts,
 * so that their request bodies keep streaming straight to them.
 */
export function proxy(request: NextRequest) {
  const policy = contentSecurityPolicy({ nonce: newNonce(), development: process.env.NODE_ENV === "development" });
  const requestId = requestIdFrom(request.headers.get(REQUEST_ID_HEADER));
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", policy);
  headers.set(REQUEST_ID_HEADER, requestId);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("Content-Security-Policy", policy);
  response.headers.set(REQUEST_ID_HEADER, requestId);
  return response;
}

export const config = {
  matcher: [
    {
      // Not the APIs (including AuthZEN's /access/v1/ and /.well-known/), the framework's files, public files, nor the public HTML pages built at build time
      // (guides, privacy notice), which keep next.config.ts's strict policy and their static, cookie-free delivery. Not SCORM packages' files either, served
      // under their own policy (lib/scorm/serve-policy.ts), nor the two large uploads (a SCORM package, a people file): the proxy would buffer at most
      // 10 MB of a body and pass the rest on cut short, and those routes read their bodies as they arrive, with their own limits.
      source:
        "/((?!api/|access/v1/|\\.well-known/|_next/static/|_next/image|favicon\\.ico|robots\\.txt|sitemap\\.xml|scripts/|styles/|guides(?:/|$)|privacy(?:/|$)|scorm/|admin/content/course/[^/]+/package|admin/people/import/upload).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
