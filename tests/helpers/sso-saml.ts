import { NextRequest } from "next/server";

import * as Acs from "@/app/api/sso/saml/[slug]/acs/route";
import * as Metadata from "@/app/api/sso/saml/[slug]/metadata/route";
import * as Start from "@/app/api/sso/saml/[slug]/start/route";
import type { Db } from "@/db/client";
import { setProviderEnabled } from "@/lib/identity/providers/manage-providers";
import { saveSamlProvider, type SamlProviderInput } from "@/lib/identity/providers/save-saml-provider";

import { context, createPerson, viewerOf } from "./factories";
import { readPostedForm, type PostedForm, type ResponseKnobs, type TestIdp, type TestUser } from "./saml-idp";
import { APP_URL } from "./sso";

/** The route handlers of SAML sign-in, called as Next.js calls them, and the browser's part between them. */

const headersFor = (ip: string) => ({ "x-forwarded-for": ip, "user-agent": "vitest" });
const params = (slug: string) => ({ params: Promise.resolve({ slug }) });

function setCookie(response: Response, name: string): string | undefined {
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const at = pair.indexOf("=");
    if (pair.slice(0, at) === name) return pair.slice(at + 1);
  }
  return undefined;
}

/** GET /api/sso/saml/<slug>/metadata. */
export function spMetadata(slug: string) {
  return Metadata.GET(new NextRequest(`${APP_URL}/api/sso/saml/${slug}/metadata`), params(slug));
}

/** A compliance admin adds and enables a SAML provider from `idp`'s metadata, and the IdP trusts its SP metadata. */
export async function configureSamlProvider(
  db: Db,
  idp: TestIdp,
  overrides: Partial<SamlProviderInput> = {},
  slug = "test-saml",
) {
  const admin = viewerOf(await createPerson(db, { roles: ["compliance_admin"] }));
  const id = await saveSamlProvider(
    admin,
    {
      name: "Test SAML IdP",
      slug,
      metadataXml: await (await fetch(idp.metadataUrl)).text(),
      allowedDomains: ["test.example"],
      jitProvisioning: false,
      acceptIdpMfa: false,
      allowIdpInitiated: false,
      emailAttribute: "email",
      nameAttribute: "name",
      departmentClaim: null,
      managerClaim: null,
      titleClaim: null,
      mfaAuthnContexts: [],
      ...overrides,
    },
    context(admin.id),
  );
  await setProviderEnabled(admin, id, true, context(admin.id));
  idp.trust(await (await spMetadata(slug)).text());
  return { id, admin };
}

/** GET /api/sso/saml/<slug>/start: where the browser is sent. */
export async function startSamlSignIn(slug: string, ip: string, callbackUrl?: string) {
  const url = new URL(`${APP_URL}/api/sso/saml/${slug}/start`);
  if (callbackUrl) url.searchParams.set("callbackUrl", callbackUrl);
  const response = await Start.GET(new NextRequest(url, { headers: headersFor(ip) }), params(slug));
  return {
    response,
    location: response.headers.get("location")!,
    /** The cookie binding the sign-in to this "browser", to send with the post to the ACS. */
    requestCookie: setCookie(response, "clearance.saml-request"),
  };
}

/** The IdP's login: `user` signs in there and its page holds the form the browser posts to the ACS. */
export async function atIdp(
  idp: TestIdp,
  location: string,
  user: TestUser,
  knobs?: ResponseKnobs,
): Promise<PostedForm> {
  idp.nextSignIn(user, knobs);
  const page = await fetch(location, { redirect: "manual" });
  if (page.status !== 200) throw new Error(`the IdP answered ${page.status}`);
  return readPostedForm(await page.text());
}

/** POST /api/sso/saml/<slug>/acs with the form, as the browser posts it from the IdP's page. */
export async function postToAcs(
  slug: string,
  form: { SAMLResponse: string; RelayState?: string | null },
  ip: string,
  requestCookie?: string | null,
) {
  const body = new URLSearchParams({ SAMLResponse: form.SAMLResponse });
  if (form.RelayState) body.set("RelayState", form.RelayState);
  const response = await Acs.POST(
    new NextRequest(`${APP_URL}/api/sso/saml/${slug}/acs`, {
      method: "POST",
      headers: {
        ...headersFor(ip),
        "content-type": "application/x-www-form-urlencoded",
        ...(requestCookie ? { cookie: `clearance.saml-request=${requestCookie}` } : {}),
      },
      body: body.toString(),
    }),
    params(slug),
  );
  const location = new URL(response.headers.get("location")!);
  return {
    response,
    location,
    token: new URLSearchParams(location.hash.slice(1)).get("sso"),
    browserSecret: setCookie(response, "clearance.sso-browser"),
    error: location.searchParams.get("sso_error"),
    detail: location.searchParams.get("sso_detail"),
  };
}

/** The whole round trip: start, sign `user` in at the IdP, post the form back. */
export async function samlSignIn(idp: TestIdp, user: TestUser, ip: string, knobs?: ResponseKnobs, slug = "test-saml") {
  const started = await startSamlSignIn(slug, ip);
  const form = await atIdp(idp, started.location, user, knobs);
  return postToAcs(slug, form, ip, started.requestCookie);
}
