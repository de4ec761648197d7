import "server-only";

import * as client from "openid-client";
import { z } from "zod";

import { getDb } from "@/db/client";
import { decryptText, encryptText } from "@/lib/crypto/encryption";
import { safeReturnPath } from "@/lib/http/return-path";
import { providerForSignIn, ssoCallbackUrl, type ProviderForSignIn } from "@/lib/identity/providers/read-providers";
import { oidcReportsMfa } from "@/lib/identity/providers/settings";
import {
  completeSsoSignIn,
  pruneSsoRecords,
  refuseSsoSignIn,
  takeSsoMessageOnce,
  type SsoCompletion,
  type SsoRequestContext,
} from "@/lib/identity/sso/complete";

import { oidcConfiguration, oidcErrorCode } from "./configuration";

/**
 * OpenID Connect sign-in: the authorization code flow with PKCE, state and
 * nonce. What the browser must bring back (state, nonce, PKCE verifier, the
 * page to return to) travels in an encrypted HttpOnly cookie scoped to the
 * callback; the state is then taken once in sso_replays, so a callback is
 * used at most once however many arrive together.
 */

/** The cookie carrying one sign-in's secrets from start to callback. */
export const OIDC_REQUEST_COOKIE = "clearance.oidc-request";
/** How long a person has at the provider's login page. */
export const OIDC_REQUEST_TTL_MS = 10 * 60_000;
const COOKIE_CONTEXT = "oidc-request";

const requestSchema = z.object({
  p: z.string().uuid(),
  s: z.string().min(16).max(200),
  n: z.string().min(16).max(200),
  v: z.string().min(43).max(128),
  r: z.string().max(2048),
  e: z.number(),
});

export type OidcStart =
  | { ok: true; authorizationUrl: URL; cookie: string; cookiePath: string; maxAgeSeconds: number }
  | { ok: false; refusal: SsoCompletion & { ok: false } };

/** The provider's authorization URL for a new sign-in, and the sealed cookie the callback will need. */
export async function startOidcSignIn(
  slug: string,
  returnTo: string | null,
  ctx: SsoRequestContext,
): Promise<OidcStart> {
  const db = await getDb();
  const now = ctx.now ?? new Date();
  const provider = await providerForSignIn(db, "oidc", slug);
  if (!provider) return { ok: false, refusal: await refuseSsoSignIn(null, "provider_unknown", ctx) };
  if (!provider.enabled) return { ok: false, refusal: await refuseSsoSignIn(provider.id, "provider_disabled", ctx) };
  let config: client.Configuration;
  try {
    config = await oidcConfiguration(provider);
  } catch (error) {
    return {
      ok: false,
      refusal: await refuseSsoSignIn(provider.id, "invalid_response", ctx, {
        detail: `discovery_${oidcErrorCode(error)}`,
      }),
    };
  }
  const state = client.randomState();
  const nonce = client.randomNonce();
  const verifier = client.randomPKCECodeVerifier();
  const authorizationUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: ssoCallbackUrl("oidc", provider.slug),
    scope: provider.settings.scopes.join(" "),
    response_type: "code",
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
  });
  const sealed = encryptText(
    JSON.stringify({
      p: provider.id,
      s: state,
      n: nonce,
      v: verifier,
      r: safeReturnPath(returnTo, "/dashboard"),
      e: now.getTime() + OIDC_REQUEST_TTL_MS,
    }),
    COOKIE_CONTEXT,
  );
  return {
    ok: true,
    authorizationUrl,
    cookie: sealed,
    cookiePath: `/api/sso/oidc/${provider.slug}`,
    maxAgeSeconds: OIDC_REQUEST_TTL_MS / 1000,
  };
}

function openRequest(sealed: string | undefined): z.infer<typeof requestSchema> | null {
  if (!sealed || sealed.length > 4096) return null;
  try {
    const parsed = requestSchema.safeParse(JSON.parse(decryptText(sealed, COOKIE_CONTEXT)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The claims of a verified ID token, completed from the UserInfo endpoint when the token leaves the address out. */
async function identityClaims(
  config: client.Configuration,
  tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>,
  provider: ProviderForSignIn<"oidc">,
): Promise<Record<string, unknown>> {
  const claims = tokens.claims() as Record<string, unknown> | undefined;
  if (!claims) throw Object.assign(new Error("no ID token"), { code: "no_id_token" });
  const { emailClaim } = provider.settings;
  if (typeof claims[emailClaim] === "string") return claims;
  const info = (await client.fetchUserInfo(config, tokens.access_token, String(claims.sub))) as Record<string, unknown>;
  // The ID token's own claims win: the UserInfo answer only fills in what it lacks.
  return { ...info, ...claims };
}

function verifiedFlag(value: unknown): boolean {
  return value === true || value === "true" || value === 1 || value === "1";
}

export type OidcFinish = { completion: SsoCompletion; returnTo: string };

/**
 * The provider's redirect back. `query` is the callback's query string as
 * received; it is checked against the sealed request (state), taken once,
 * and the code exchanged (with the PKCE verifier) for tokens whose ID token
 * openid-client verifies: signature, issuer, audience, expiry and nonce.
 */
export async function finishOidcSignIn(
  slug: string,
  query: URLSearchParams,
  sealedRequest: string | undefined,
  ctx: SsoRequestContext,
): Promise<OidcFinish> {
  const db = await getDb();
  const now = ctx.now ?? new Date();
  await pruneSsoRecords(db, now);
  const provider = await providerForSignIn(db, "oidc", slug);
  const refuse = async (reason: Parameters<typeof refuseSsoSignIn>[1], detail?: string, returnTo = "/dashboard") => ({
    completion: await refuseSsoSignIn(provider?.id ?? null, reason, ctx, { detail }),
    returnTo,
  });
  if (!provider) return refuse("provider_unknown");
  const request = openRequest(sealedRequest);
  if (!request || request.p !== provider.id || request.e < now.getTime())
    return refuse("invalid_response", "no_request");
  const returnTo = request.r;
  if (query.get("state") !== request.s) return refuse("invalid_response", "state_mismatch", returnTo);
  // Taken before anything slow: of callbacks sent together with this state, one goes on.
  const expires = new Date(request.e + 60_000);
  if (!(await takeSsoMessageOnce(db, provider.id, `state:${request.s}`, expires)))
    return refuse("replayed", "state_reused", returnTo);
  if (!provider.enabled) return refuse("provider_disabled", undefined, returnTo);
  if (query.get("error")) return refuse("invalid_response", `provider_${query.get("error")!.slice(0, 40)}`, returnTo);

  let claims: Record<string, unknown>;
  try {
    const config = await oidcConfiguration(provider);
    const currentUrl = new URL(ssoCallbackUrl("oidc", provider.slug));
    currentUrl.search = query.toString();
    const tokens = await client.authorizationCodeGrant(config, currentUrl, {
      pkceCodeVerifier: request.v,
      expectedState: request.s,
      expectedNonce: request.n,
      idTokenExpected: true,
    });
    claims = await identityClaims(config, tokens, provider);
  } catch (error) {
    return refuse("invalid_response", oidcErrorCode(error), returnTo);
  }
  if (!(await takeSsoMessageOnce(db, provider.id, `nonce:${request.n}`, expires)))
    return refuse("replayed", "nonce_reused", returnTo);

  const { emailClaim, emailVerifiedClaim } = provider.settings;
  const email = typeof claims[emailClaim] === "string" ? (claims[emailClaim] as string) : "";
  const completion = await completeSsoSignIn(
    {
      providerId: provider.id,
      protocol: "oidc",
      subject: String(claims.sub ?? ""),
      email,
      emailVerified: email !== "" && verifiedFlag(claims[emailVerifiedClaim]),
      name: typeof claims.name === "string" ? claims.name : null,
      claims,
      mfa: oidcReportsMfa(claims, provider.settings),
    },
    ctx,
  );
  return { completion, returnTo };
}
