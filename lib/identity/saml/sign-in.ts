import "server-only";

import { randomBytes } from "node:crypto";

import { and, eq, gt } from "drizzle-orm";

import { getDb, type Executor } from "@/db/client";
import { ssoReplays } from "@/db/schema";
import { sha256Hex } from "@/lib/crypto/hash";
import { env } from "@/lib/env";
import { safeReturnPath } from "@/lib/http/return-path";
import { providerForSignIn, type ProviderForSignIn } from "@/lib/identity/providers/read-providers";
import {
  completeSsoSignIn,
  pruneSsoRecords,
  refuseSsoSignIn,
  takeSsoMessageOnce,
  type SsoCompletion,
  type SsoRefusalReason,
  type SsoRequestContext,
} from "@/lib/identity/sso/complete";

import type { SamlFailureReason } from "./failure-reasons";
import { spMetadataXml } from "./metadata";
import { samlEndpoints, samlSettingsSchema, type SamlSettings } from "./settings";
import { startSignIn } from "./start-sign-in";
import { claimedRequestId, verifyResponse } from "./verify-response";

/**
 * SAML sign-in for Clearance's routes: the AuthnRequest (HTTP-Redirect) and
 * the assertion consumer (HTTP-POST). The AuthnRequest ID is kept in
 * sso_replays with the hash of a secret that only the browser which started
 * the sign-in holds (a cookie scoped to the ACS, SameSite=None because the
 * IdP posts from its own site), and taken once at the ACS: a response is
 * accepted only from the browser that asked for it (no login CSRF: another
 * browser cannot be made to post someone else's response), and at most once
 * however many copies arrive together. The assertion ID is taken once too.
 */

/** The cookie binding a sign-in to the browser that started it. */
export const SAML_REQUEST_COOKIE = "clearance.saml-request";

/** How long a person has at the IdP's login page. */
export const SAML_REQUEST_TTL_MS = 10 * 60_000;
/** saml-bindings §3.4.3: RelayState (here the page to return to) is at most 80 bytes. */
const MAX_RELAY_STATE_BYTES = 80;
/** The stored key of a request: its ID and the hash of the starting browser's secret. */
const requestKey = (requestId: string, browserSecret: string) =>
  `authn:${requestId}:${sha256Hex(browserSecret).slice(0, 32)}`;

/** The provider's stored settings with this app's SP addresses for its slug. */
export function samlSettingsOf(provider: Pick<ProviderForSignIn<"saml">, "slug" | "settings">): SamlSettings {
  return samlSettingsSchema.parse({ ...provider.settings, ...samlEndpoints(env().APP_URL, provider.slug) });
}

/** The SP metadata for a provider's slug, or null when there is no such SAML provider. */
export async function samlMetadataFor(slug: string): Promise<string | null> {
  const provider = await providerForSignIn(await getDb(), "saml", slug).catch(() => null);
  if (!provider) return null;
  try {
    return spMetadataXml(samlEndpoints(env().APP_URL, provider.slug));
  } catch {
    return null;
  }
}

type Refusal = SsoCompletion & { ok: false };
export type SamlStart =
  { ok: true; redirectUrl: string; browserSecret: string; maxAgeSeconds: number } | { ok: false; refusal: Refusal };

/** The page to come back to, as a path on this site that fits in RelayState. */
function returnPathFor(value: unknown): string {
  const path = safeReturnPath(value, "/dashboard");
  return Buffer.byteLength(path) <= MAX_RELAY_STATE_BYTES ? path : "/dashboard";
}

/** The IdP's URL with a new AuthnRequest; its ID is kept server-side for ten minutes. */
export async function startSamlSignIn(
  slug: string,
  returnTo: string | null,
  ctx: SsoRequestContext,
): Promise<SamlStart> {
  const db = await getDb();
  const now = ctx.now ?? new Date();
  const provider = await providerForSignIn(db, "saml", slug).catch(() => null);
  if (!provider) return { ok: false, refusal: await refuseSsoSignIn(null, "provider_unknown", ctx) };
  if (!provider.enabled) return { ok: false, refusal: await refuseSsoSignIn(provider.id, "provider_disabled", ctx) };
  let settings: SamlSettings;
  try {
    settings = samlSettingsOf(provider);
  } catch {
    return { ok: false, refusal: await refuseSsoSignIn(provider.id, "invalid_response", ctx, { detail: "settings" }) };
  }
  const { redirectUrl, requestId } = await startSignIn(settings, { relayState: returnPathFor(returnTo) });
  const browserSecret = randomBytes(32).toString("base64url");
  await takeSsoMessageOnce(
    db,
    provider.id,
    requestKey(requestId, browserSecret),
    new Date(now.getTime() + SAML_REQUEST_TTL_MS),
  );
  return { ok: true, redirectUrl, browserSecret, maxAgeSeconds: SAML_REQUEST_TTL_MS / 1000 };
}

/** Takes a stored AuthnRequest ID once, from the browser that started it: true for the first taker while it is unexpired. */
async function takeRequest(
  db: Executor,
  providerId: string,
  requestId: string,
  browserSecret: string | null,
  now: Date,
): Promise<boolean> {
  if (!browserSecret) return false;
  const taken = await db
    .delete(ssoReplays)
    .where(
      and(
        eq(ssoReplays.providerId, providerId),
        eq(ssoReplays.messageId, requestKey(requestId, browserSecret)),
        gt(ssoReplays.expiresAt, now),
      ),
    )
    .returning({ messageId: ssoReplays.messageId });
  return taken.length === 1;
}

/** What a refused response is called in the shared refusal path (and the sign-in page's message). */
const REFUSAL_FOR: Partial<Record<SamlFailureReason, SsoRefusalReason>> = { replayed: "replayed" };

export type SamlFinish = {
  completion: SsoCompletion;
  returnTo: string;
  /** The SAML reason of a refused response, for the sign-in page to name. */
  samlReason?: SamlFailureReason;
};

/**
 * The IdP's POST to the ACS: `SAMLResponse` and `RelayState` as posted. The
 * response must answer a request this app started and has not yet seen
 * answered (or be IdP-initiated, where the provider allows it); then
 * `verifyResponse` checks signature, issuer, audience, recipient and times,
 * and the person is signed in by the shared completion.
 */
export async function finishSamlSignIn(
  slug: string,
  form: { SAMLResponse: unknown; RelayState: unknown },
  ctx: SsoRequestContext,
  /** The secret of the browser posting, from the cookie its start set; null without one. */
  browserSecret: string | null = null,
): Promise<SamlFinish> {
  const db = await getDb();
  const now = ctx.now ?? new Date();
  await pruneSsoRecords(db, now);
  const returnTo = returnPathFor(form.RelayState);
  const provider = await providerForSignIn(db, "saml", slug).catch(() => null);
  const refuse = async (reason: SsoRefusalReason, detail?: string, samlReason?: SamlFailureReason) => ({
    completion: await refuseSsoSignIn(provider?.id ?? null, reason, ctx, { detail }),
    returnTo,
    samlReason,
  });
  if (!provider) return refuse("provider_unknown");
  if (!provider.enabled) return refuse("provider_disabled");
  let settings: SamlSettings;
  try {
    settings = samlSettingsOf(provider);
  } catch {
    return refuse("invalid_response", "settings");
  }

  // Taken before the signature is checked: of copies posted together, one finds the request.
  const claimed = claimedRequestId(form.SAMLResponse);
  const expectedRequestId =
    claimed && (await takeRequest(db, provider.id, claimed, browserSecret, now)) ? claimed : null;
  const verified = await verifyResponse(settings, form.SAMLResponse, {
    expectedRequestId,
    now,
    claimOnce: (assertionId, notOnOrAfter) =>
      takeSsoMessageOnce(db, provider.id, `assertion:${assertionId}`, notOnOrAfter),
  });
  if (!verified.ok) {
    return refuse(REFUSAL_FOR[verified.reason] ?? "invalid_response", `saml_${verified.reason}`, verified.reason);
  }

  const { identity } = verified;
  // The mapped attributes under their names at this IdP, as the provider's department/manager/title claims name them.
  const claims: Record<string, unknown> = {};
  for (const key of ["department", "manager", "title"] as const) {
    if (identity.claims[key]) claims[settings.attributes[key]] = identity.claims[key];
  }
  const completion = await completeSsoSignIn(
    {
      providerId: provider.id,
      protocol: "saml",
      subject: identity.subject,
      email: identity.email,
      emailVerified: identity.emailVerified,
      name: identity.name,
      claims,
      mfa: identity.mfa,
    },
    ctx,
  );
  return { completion, returnTo };
}
