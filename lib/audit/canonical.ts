import { hmacSha256Hex, sha256Hex } from "@/lib/crypto/hash";

/** JSON with object keys sorted at every level: the same value always encodes the same way. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

export type ChainFields = {
  at: Date;
  actorId: string | null;
  actorLabel: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  data: unknown;
  prevHash: string;
};

export const GENESIS_HASH = "0".repeat(64);

/** Events written before the chain was keyed: SHA-256, which anyone can recompute. Verification only. */
export function eventHash(fields: ChainFields): string {
  const encoded = canonicalJson({ ...fields, at: fields.at.toISOString() });
  return sha256Hex(encoded);
}

/** HMAC-SHA-256 under the audit chain key; the key id is sealed too, so an event cannot be moved to another key. */
export function keyedEventHash(fields: ChainFields, keyId: string, key: Buffer): string {
  const encoded = canonicalJson({ ...fields, at: fields.at.toISOString(), keyId });
  return hmacSha256Hex(key, encoded);
}
