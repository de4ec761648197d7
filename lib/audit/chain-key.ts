import "server-only";

import { keyIdOf } from "@/lib/crypto/encryption";
import { env } from "@/lib/env";

export type ChainKey = { id: string; key: Buffer };

/**
 * The key new audit events are sealed with (AUDIT_CHAIN_KEY), and every key
 * still accepted for verification by its id (AUDIT_CHAIN_OLD_KEYS too), so
 * the key can be replaced without breaking the events written under the old one.
 */
export function auditChainKeys(): { current: ChainKey; byId: Map<string, Buffer> } {
  const { AUDIT_CHAIN_KEY, AUDIT_CHAIN_OLD_KEYS } = env();
  const keys = [AUDIT_CHAIN_KEY, ...AUDIT_CHAIN_OLD_KEYS].map((k) => Buffer.from(k, "base64"));
  return { current: { id: keyIdOf(keys[0]), key: keys[0] }, byId: new Map(keys.map((k) => [keyIdOf(k), k])) };
}
