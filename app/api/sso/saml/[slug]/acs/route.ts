import type { NextRequest } from "next/server";

import { API_BODY_MAX_BYTES, readBodyBytes } from "@/lib/http/api";
import { observed } from "@/lib/http/observe";
import { metaFromHeaders } from "@/lib/http/request-context";
import { finishSamlSignIn, SAML_REQUEST_COOKIE } from "@/lib/identity/saml/sign-in";
import { refuseSsoSignIn } from "@/lib/identity/sso/complete";
import { ssoSignInResponse } from "@/lib/identity/sso/respond";

export const dynamic = "force-dynamic";

/**
 * Public: the assertion consumer service (HTTP-POST binding). The identity
 * provider's page posts `SAMLResponse` and `RelayState` here from its own
 * site; the sign-in page then exchanges the handoff for a session.
 */
async function handlePost(request: NextRequest, { params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const meta = metaFromHeaders((name) => request.headers.get(name));
  const body = await readBodyBytes(request, API_BODY_MAX_BYTES);
  if (!body.ok) {
    const refusal = await refuseSsoSignIn(null, "invalid_response", meta, { detail: "saml_body_too_large" });
    return ssoSignInResponse(refusal, "/", "malformed");
  }
  // Read as a form whatever the declared type: anything else simply has no SAMLResponse.
  const form = new URLSearchParams(new TextDecoder().decode(body.bytes));
  const { completion, returnTo, samlReason } = await finishSamlSignIn(
    slug,
    { SAMLResponse: form.get("SAMLResponse"), RelayState: form.get("RelayState") },
    meta,
    request.cookies.get(SAML_REQUEST_COOKIE)?.value ?? null,
  );
  const response = ssoSignInResponse(completion, returnTo, samlReason);
  response.cookies.set(SAML_REQUEST_COOKIE, "", {
    httpOnly: true,
    secure: true,
    sameSite: "none",
    path: `/api/sso/saml/${encodeURIComponent(slug)}/acs`,
    maxAge: 0,
  });
  return response;
}

export const POST = observed("/api/sso/saml/[slug]/acs", handlePost);
