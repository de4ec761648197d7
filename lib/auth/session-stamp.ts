import "server-only";

import { sha256Hex } from "@/lib/crypto/hash";

export type StampFacts = { roles: string[]; mfaEnabledAt: Date | null; passwordHash: string | null };

/**
 * A fingerprint of what a session's privileges rest on: the person's roles,
 * their MFA enrolment and their password. A session carries the stamp it was
 * issued with; when any of these changes the stamp no longer matches and the
 * session ends (the person's own MFA enrolment issues a fresh one at once).
 */
export function privilegeStamp(facts: StampFacts): string {
  return sha256Hex(
    `${[...facts.roles].sort().join(",")}|${facts.mfaEnabledAt?.toISOString() ?? ""}|${facts.passwordHash ?? ""}`,
  ).slice(0, 32);
}
