import "server-only";

import * as client from "openid-client";

import { env } from "@/lib/env";
import type { OidcSettings } from "@/lib/identity/providers/settings";

/** Discovery documents are read again after this long, so a provider's key rollover is picked up. */
const DISCOVERY_TTL_MS = 5 * 60_000;
const DISCOVERY_TIMEOUT_SECONDS = 10;

type Cached = { key: string; at: number; config: Promise<client.Configuration> };
const cache = new Map<string, Cached>();

export class OidcSetupError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** An issuer URL Clearance will talk to: https, or plain http on a loopback address when SSO_ALLOW_LOOPBACK_HTTP is on. */
export function checkIssuerUrl(issuer: string): URL {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new OidcSetupError("issuer_invalid", "The issuer is not a URL.");
  }
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && LOOPBACK.has(url.hostname) && env().SSO_ALLOW_LOOPBACK_HTTP) return url;
  throw new OidcSetupError("issuer_not_https", "The issuer must be an https:// URL.");
}

/**
 * The provider's configuration from its discovery document, with this
 * client's id and secret. openid-client checks that the document names the
 * same issuer, and later the ID token's issuer, audience, signature and
 * nonce against it.
 */
export async function oidcConfiguration(
  provider: { id: string; updatedAt: Date; settings: OidcSettings; secret: string | null },
  options: { fresh?: boolean } = {},
): Promise<client.Configuration> {
  const key = `${provider.updatedAt.toISOString()}|${provider.settings.issuer}|${provider.settings.clientId}`;
  const hit = cache.get(provider.id);
  if (!options.fresh && hit && hit.key === key && Date.now() - hit.at < DISCOVERY_TTL_MS) return hit.config;
  const issuer = checkIssuerUrl(provider.settings.issuer);
  if (!provider.secret) throw new OidcSetupError("secret_missing", "The client secret has not been set.");
  const auth =
    provider.settings.tokenAuthMethod === "client_secret_post"
      ? client.ClientSecretPost(provider.secret)
      : client.ClientSecretBasic(provider.secret);
  const config = client.discovery(issuer, provider.settings.clientId, undefined, auth, {
    timeout: DISCOVERY_TIMEOUT_SECONDS,
    execute: issuer.protocol === "http:" ? [client.allowInsecureRequests] : [],
  });
  // A fresh read (the admin's test) is not kept: it may not carry the real secret.
  if (options.fresh) return config;
  cache.set(provider.id, { key, at: Date.now(), config });
  // A failed discovery is not kept: the next sign-in tries again.
  config.catch(() => {
    if (cache.get(provider.id)?.config === config) cache.delete(provider.id);
  });
  return config;
}

/** A short, stable code for what went wrong in an OIDC exchange: for the audit log, never the provider's text. */
export function oidcErrorCode(error: unknown): string {
  if (error instanceof OidcSetupError) return error.code;
  if (error instanceof client.AuthorizationResponseError) return `authorization_${error.error}`.slice(0, 80);
  if (error instanceof client.ResponseBodyError) return `token_${error.error}`.slice(0, 80);
  const code = (error as { code?: unknown })?.code;
  if (typeof code === "string") return code.slice(0, 80);
  if (error instanceof Error && error.name === "TimeoutError") return "timeout";
  return error instanceof Error ? `unexpected_${error.name}`.slice(0, 80) : "unexpected";
}

/** What the admin is told when discovery fails: the exact problem, in words. */
export function describeDiscoveryError(error: unknown): string {
  if (error instanceof OidcSetupError) return error.message;
  const code = oidcErrorCode(error);
  const detail = error instanceof Error ? error.message : "";
  switch (code) {
    case "OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED":
      return "The discovery document names a different issuer than the one entered. Use the issuer exactly as the provider states it (mind a trailing slash).";
    case "OAUTH_RESPONSE_IS_NOT_CONFORM":
    case "OAUTH_INVALID_RESPONSE":
      return `The provider's discovery document was not accepted: ${detail.slice(0, 200)}`;
    case "OAUTH_HTTP_REQUEST_FORBIDDEN":
      return "The issuer must be an https:// URL.";
    case "timeout":
      return "The provider did not answer within 10 seconds.";
    default:
      if (/fetch failed|ECONNREFUSED|ENOTFOUND|EAI_AGAIN/i.test(detail + String((error as Error)?.cause ?? "")))
        return "The issuer could not be reached. Check the URL and that this server can reach the provider.";
      return `Discovery failed (${code}).`;
  }
}
