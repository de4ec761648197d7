import { createHash, createHmac } from "node:crypto";

/** SHA-256 as lowercase hex: stored token hashes, document and file fingerprints, checksums. */
export function sha256Hex(value: string | Uint8Array): string {
  return createHash("sha256").update(value).digest("hex");
}

/** HMAC-SHA-256 as lowercase hex: a hash only the holder of `key` can compute or check. */
export function hmacSha256Hex(key: string | Uint8Array, value: string): string {
  return createHmac("sha256", key).update(value).digest("hex");
}
