import { NextRequest } from "next/server";

import * as Callback from "@/app/api/sso/oidc/[slug]/callback/route";
import * as Start from "@/app/api/sso/oidc/[slug]/start/route";
import type { Db } from "@/db/client";
import { authOptions } from "@/lib/auth/options";
import { saveOidcProvider, setProviderEnabled } from "@/lib/identity/providers/manage-providers";

import { context, createPerson, viewerOf } from "./factories";
import type { TestIdp } from "./oidc-idp";

export const APP_URL = "http://localhost:3000";
export const callbackUrlFor = (slug: string) => `${APP_URL}/api/sso/oidc/${slug}/callback`;

/** A compliance admin adds and enables an OIDC provider for `idp`. */
export async function configureProvider(
  db: Db,
  idp: TestIdp,
  overrides: Partial<Parameters<typeof saveOidcProvider>[1]> = {},
) {
  const admin = viewerOf(await createPerson(db, { roles: ["compliance_admin"] }));
  const id = await saveOidcProvider(
    admin,
    {
      name: "Test IdP",
      slug: "test-idp",
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      scopes: ["openid", "email", "profile"],
      tokenAuthMethod: "client_secret_basic",
      emailClaim: "email",
      emailVerifiedClaim: "email_verified",
      mfaAmrValues: ["mfa"],
      mfaAcrValues: [],
      allowedDomains: ["test.example"],
      jitProvisioning: false,
      acceptIdpMfa: false,
      departmentClaim: null,
      managerClaim: null,
      titleClaim: null,
      ...overrides,
    },
    context(admin.id),
  );
  await setProviderEnabled(admin, id, true, context(admin.id));
  return { id, admin };
}

const headersFor = (ip: string, cookie?: string) => ({
  "x-forwarded-for": ip,
  "user-agent": "vitest",
  ...(cookie ? { cookie } : {}),
});

function setCookie(response: Response, name: string): string | undefined {
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const at = pair.indexOf("=");
    if (pair.slice(0, at) === name) return pair.slice(at + 1);
  }
  return undefined;
}

/** GET /api/sso/oidc/<slug>/start: the provider's URL and the sealed request cookie. */
export async function startSignIn(slug: string, ip: string, callbackUrl?: string) {
  const url = new URL(`${APP_URL}/api/sso/oidc/${slug}/start`);
  if (callbackUrl) url.searchParams.set("callbackUrl", callbackUrl);
  const response = await Start.GET(new NextRequest(url, { headers: headersFor(ip) }), {
    params: Promise.resolve({ slug }),
  });
  return {
    response,
    location: response.headers.get("location")!,
    cookie: setCookie(response, "clearance.oidc-request"),
  };
}

/** GET /api/sso/oidc/<slug>/callback with the provider's answer and (or not) the browser's request cookie. */
export async function callback(slug: string, redirectBack: URL, ip: string, requestCookie?: string) {
  const response = await Callback.GET(
    new NextRequest(redirectBack, {
      headers: headersFor(ip, requestCookie ? `clearance.oidc-request=${requestCookie}` : undefined),
    }),
    { params: Promise.resolve({ slug }) },
  );
  const location = new URL(response.headers.get("location")!);
  const token = new URLSearchParams(location.hash.slice(1)).get("sso");
  return {
    response,
    location,
    token,
    browserSecret: setCookie(response, "clearance.sso-browser"),
    error: location.searchParams.get("sso_error"),
  };
}

/** The whole round trip: start, sign `accountId` in at the provider, come back. */
export async function signInThroughIdp(idp: TestIdp, accountId: string, ip: string, slug = "test-idp") {
  const started = await startSignIn(slug, ip);
  const back = await idp.login(started.location, accountId);
  return callback(slug, back, ip, started.cookie);
}

type Authorize = (credentials: Record<string, string>, req: unknown) => Promise<{ id: string; sid: string }>;

/** The "sso" sign-in of next-auth, as its callback endpoint calls it. */
export function ssoAuthorize(
  credentials: { token: string; code?: string },
  browserSecret: string | undefined,
  ip: string,
): Promise<{ id: string; sid: string }> {
  const provider = authOptions.providers.find(
    (p) => (p as unknown as { options?: { id?: string } }).options?.id === "sso",
  ) as unknown as { options: { authorize: Authorize } };
  const cookie = browserSecret ? `clearance.sso-browser=${browserSecret}` : "";
  return provider.options.authorize(credentials as Record<string, string>, {
    headers: { cookie, "x-forwarded-for": ip, "user-agent": "vitest" },
  });
}
