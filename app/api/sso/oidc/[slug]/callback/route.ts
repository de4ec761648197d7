import type { NextRequest } from "next/server";

import { observed } from "@/lib/http/observe";
import { metaFromHeaders } from "@/lib/http/request-context";
import { finishOidcSignIn, OIDC_REQUEST_COOKIE } from "@/lib/identity/oidc/sign-in";
import { ssoSignInResponse } from "@/lib/identity/sso/respond";

export const dynamic = "force-dynamic";

/** Public: the identity provider's redirect back; the sign-in page then exchanges the handoff for a session. */
async function handleGet(request: NextRequest, { params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const meta = metaFromHeaders((name) => request.headers.get(name));
  const { completion, returnTo } = await finishOidcSignIn(
    slug,
    request.nextUrl.searchParams,
    request.cookies.get(OIDC_REQUEST_COOKIE)?.value,
    meta,
  );
  const response = ssoSignInResponse(completion, returnTo);
  // The sealed request has served its one purpose.
  if (/^[a-z0-9-]{1,40}$/.test(slug))
    response.cookies.set(OIDC_REQUEST_COOKIE, "", { path: `/api/sso/oidc/${slug}`, maxAge: 0, httpOnly: true });
  return response;
}

export const GET = observed("/api/sso/oidc/[slug]/callback", handleGet);
