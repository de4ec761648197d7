import { timingSafeEqual } from "node:crypto";

import { hmacSha256Hex } from "@/lib/crypto/hash";

/**
 * Webhook signatures, Stripe-style: `Clearance-Signature: t=<unix seconds>,v1=<hex>`
 * where the hex is HMAC-SHA256(secret, "<t>.<raw body>"). The timestamp inside
 * the signed text lets receivers refuse replays of old deliveries.
 *
 * No server-only import: receivers (and tests) verify with the same code.
 */

export const SIGNATURE_HEADER = "Clearance-Signature";
export const DEFAULT_TOLERANCE_SECONDS = 300;

const unixSeconds = (at: number | Date) => (typeof at === "number" ? Math.floor(at) : Math.floor(at.getTime() / 1000));

function hmacHex(secret: string, timestamp: number, body: string): string {
  return hmacSha256Hex(secret, `${timestamp}.${body}`);
}

/** The `Clearance-Signature` header value for `body` sent at `timestamp` (unix seconds or a Date). */
export function signPayload(secret: string, body: string, timestamp: number | Date): string {
  const t = unixSeconds(timestamp);
  return `t=${t},v1=${hmacHex(secret, t, body)}`;
}

/**
 * True when `header` carries a v1 signature of exactly `body` by `secret`, made
 * within `toleranceSeconds` of `now`. Several v1 values are accepted (one may
 * match), so a sender can sign with an old and a new secret during rotation.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | null | undefined,
  body: string,
  now: Date = new Date(),
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): boolean {
  if (!secret || !header) return false;
  let timestamp: number | null = null;
  const candidates: string[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t" && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === "v1" && /^[0-9a-f]{64}$/i.test(value)) candidates.push(value.toLowerCase());
  }
  if (timestamp === null || candidates.length === 0) return false;
  if (Math.abs(unixSeconds(now) - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(hmacHex(secret, timestamp, body), "hex");
  // Every candidate is compared in constant time; the lengths are fixed by the regex above.
  let matched = false;
  for (const candidate of candidates) {
    if (timingSafeEqual(expected, Buffer.from(candidate, "hex"))) matched = true;
  }
  return matched;
}
