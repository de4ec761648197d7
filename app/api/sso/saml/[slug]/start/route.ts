import { NextResponse, type NextRequest } from "next/server";

import { metaFromHeaders } from "@/lib/http/request-context";
import { startSamlSignIn } from "@/lib/identity/saml/sign-in";
import { ssoSignInResponse } from "@/lib/identity/sso/respond";

export const dynamic = "force-dynamic";

/** Public: sends the browser to the identity provider with an AuthnRequest (HTTP-Redirect binding). */
export async function GET(request: NextRequest, { params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const meta = metaFromHeaders((name) => request.headers.get(name));
  const started = await startSamlSignIn(slug, request.nextUrl.searchParams.get("callbackUrl"), meta);
  if (!started.ok) return ssoSignInResponse(started.refusal, "/");
  return NextResponse.redirect(started.redirectUrl, 303);
}
