import "server-only";

import { eq } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { lrsSettings } from "@/db/schema";
import { decryptText } from "@/lib/crypto/encryption";
import { env } from "@/lib/env";
import { literalAddress } from "@/lib/webhooks/target-address";

/**
 * Where xAPI statements go. The deployment's settings (`XAPI_LRS_URL`, with
 * `XAPI_LRS_USERNAME` and `XAPI_LRS_PASSWORD`) take precedence; without
 * them, the store a compliance admin connected in Admin → Webhooks
 * (`lrs_settings`). Each process reads that row at most every few seconds,
 * so a change made on one instance reaches the others within
 * REFRESH_MS; the instance that made it sees it at once.
 */

export type LrsSource = "environment" | "admin";

export type LrsConfig = {
  source: LrsSource;
  /** The endpoint, ending in `/`, before `statements`. */
  endpoint: string;
  username: string | null;
  /** The secret, decrypted; for the request's Authorization header only, never for a page or a log line. */
  password: string | null;
  actor: "account" | "mbox";
  /**
   * Whether requests may reach loopback and private addresses: the
   * deployment's own store may be inside its network; a store an admin
   * entered may not (a loopback one only with XAPI_ALLOW_LOOPBACK_HTTP).
   */
  allowPrivate: boolean;
  /** The stored secret could not be decrypted (a key removed from DATA_ENCRYPTION_OLD_KEYS, or a damaged row). */
  secretUnreadable: boolean;
};

export const LRS_SECRET_CONTEXT = (connectionId: string) => `lrs-settings:${connectionId}`;

/** How long a process keeps the row it read; another instance's change shows within this. */
export const REFRESH_MS = 5_000;

type Cached = { at: number; config: LrsConfig | null };
let cached: Cached | null = null;

/** Drops what this process read: the next statement reads the row again (after a save here, or in tests). */
export function forgetLrsConfig() {
  cached = null;
}

/** The loopback hosts a test LRS runs on, over plain http, when XAPI_ALLOW_LOOPBACK_HTTP is on. */
export function isLoopbackHost(hostname: string): boolean {
  const literal = literalAddress(hostname);
  if (literal) return literal === "::1" || literal.startsWith("127.");
  return hostname.toLowerCase() === "localhost";
}

/** The endpoint with a trailing slash, so `statements` resolves beneath it. */
export const withSlash = (endpoint: string) => (endpoint.endsWith("/") ? endpoint : `${endpoint}/`);

/** The learning record store statements go to, or null when none is configured (nothing is then queued). */
export async function lrsConfig(db: Executor, options: { fresh?: boolean } = {}): Promise<LrsConfig | null> {
  const settings = env();
  if (settings.XAPI_LRS_URL)
    return {
      source: "environment",
      endpoint: withSlash(settings.XAPI_LRS_URL),
      username: settings.XAPI_LRS_USERNAME ?? null,
      password: settings.XAPI_LRS_PASSWORD ?? null,
      actor: settings.XAPI_ACTOR,
      allowPrivate: true,
      secretUnreadable: false,
    };
  const now = Date.now();
  if (!options.fresh && cached && now - cached.at < REFRESH_MS) return cached.config;
  const [row] = await db.select().from(lrsSettings).where(eq(lrsSettings.id, 1));
  let config: LrsConfig | null = null;
  if (row) {
    let password: string | null = null;
    let secretUnreadable = false;
    if (row.secretEnc) {
      try {
        password = decryptText(row.secretEnc, LRS_SECRET_CONTEXT(row.connectionId));
      } catch {
        secretUnreadable = true;
      }
    }
    const host = new URL(row.endpoint).hostname;
    config = {
      source: "admin",
      endpoint: withSlash(row.endpoint),
      username: row.username,
      password,
      actor: row.actor,
      allowPrivate: settings.XAPI_ALLOW_LOOPBACK_HTTP && isLoopbackHost(host),
      secretUnreadable,
    };
  }
  cached = { at: now, config };
  return config;
}
