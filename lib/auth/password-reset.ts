import "server-only";

import { eq } from "drizzle-orm";

import { getDb } from "@/db/client";
import { passwordTokens, people } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { sha256Hex } from "@/lib/crypto/hash";
import { randomToken } from "@/lib/crypto/tokens";
import { hitRateLimit } from "@/lib/http/rate-limit";
import type { RequestMeta } from "@/lib/http/request-context";
import { ssoRequiredFor } from "@/lib/identity/sso/policy";
import { queueEmail } from "@/lib/notify/queue-email";
import { MINUTE } from "@/lib/time";

import { normaliseEmail } from "./authenticate";

export const RESET_LINK_VALID_MINUTES = 30;
/** Links one address may be sent per hour, whoever asks: bounds the mail an attacker can aim at a person. */
export const RESETS_PER_ADDRESS_PER_HOUR = 3;
/** Requests one network may make per 15 minutes, for any addresses. */
export const RESETS_PER_IP_PER_WINDOW = 20;
const IP_WINDOW_SECONDS = 15 * 60;

export type ResetRequestOutcome = "sent" | "no_account" | "sso_only" | "throttled_address" | "throttled_ip";

/**
 * "Forgot password?": emails the person a single-use link, valid 30 minutes,
 * of which only the SHA-256 is stored. The caller answers the same whatever
 * this returns, so the form tells nobody whether an address has an account.
 * Both limits are taken, one statement each, before the address is looked up.
 */
export async function requestPasswordReset(
  emailInput: string,
  meta: RequestMeta,
  now = new Date(),
): Promise<ResetRequestOutcome> {
  const db = await getDb();
  const email = normaliseEmail(emailInput).slice(0, 320);
  const fromIp = await hitRateLimit(
    db,
    `password-reset:ip:${meta.ip}`,
    RESETS_PER_IP_PER_WINDOW,
    IP_WINDOW_SECONDS,
    now,
  );
  if (!fromIp.allowed) return "throttled_ip";
  // Keyed by the address's hash: the limits table holds no addresses.
  const forAddress = await hitRateLimit(
    db,
    `password-reset:email:${sha256Hex(email)}`,
    RESETS_PER_ADDRESS_PER_HOUR,
    3600,
    now,
  );
  if (!forAddress.allowed) return "throttled_address";

  const [person] = await db
    .select({ id: people.id, name: people.name, email: people.email, status: people.status, roles: people.roles })
    .from(people)
    .where(eq(people.email, email))
    .limit(1);
  const context = { actorId: null, actorLabel: "anonymous", ...meta };
  if (!person || person.status !== "active") {
    // Recorded too: many requests for unknown addresses is someone probing the list of accounts.
    // In a transaction: the audit chain's lock is held per transaction.
    await db.transaction((tx) =>
      recordAudit(
        tx,
        context,
        { action: "auth.password_reset_requested", data: { account: person ? `account_${person.status}` : "unknown" } },
        now,
      ),
    );
    return "no_account";
  }
  if (await ssoRequiredFor(db, person.roles)) {
    // The person signs in through the identity provider only: a password they cannot use is not offered.
    await db.transaction((tx) =>
      recordAudit(
        tx,
        context,
        {
          action: "auth.password_reset_requested",
          targetType: "person",
          targetId: person.id,
          data: { account: "sso_only" },
        },
        now,
      ),
    );
    return "sso_only";
  }
  const token = randomToken();
  const expiresAt = new Date(now.getTime() + RESET_LINK_VALID_MINUTES * MINUTE);
  await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(passwordTokens)
      .values({ personId: person.id, tokenHash: sha256Hex(token), purpose: "reset", createdAt: now, expiresAt })
      .returning({ id: passwordTokens.id });
    await queueEmail(tx, {
      kind: "password-reset",
      props: { name: person.name, setPasswordPath: `/set-password/${token}`, expiresAt },
      to: { email: person.email, personId: person.id },
      dedupeKey: `password-reset:${person.id}:${row.id}`,
      now,
    });
    await recordAudit(
      tx,
      context,
      {
        action: "auth.password_reset_requested",
        targetType: "person",
        targetId: person.id,
        data: { account: "active" },
      },
      now,
    );
  });
  return "sent";
}
