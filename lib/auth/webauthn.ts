import "server-only";

import { and, eq, gt, isNull, lt } from "drizzle-orm";
import { z } from "zod";

import type { Executor } from "@/db/client";
import { webauthnChallenges } from "@/db/schema";
import { sha256Hex } from "@/lib/crypto/hash";
import { env } from "@/lib/env";
import { MINUTE } from "@/lib/time";

/** How long a browser has to answer a passkey prompt. */
export const CHALLENGE_TTL_MS = 5 * MINUTE;
/** The HttpOnly cookie that binds a sign-in challenge to the browser that asked for it. */
export const PASSKEY_BROWSER_COOKIE = "clearance.passkey-browser";

/** The relying party: this app's public origin and its host name, from APP_URL. */
export function relyingParty() {
  const url = new URL(env().APP_URL);
  return { id: url.hostname, origin: url.origin, name: env().ORG_NAME };
}

export type ChallengeBinding =
  { purpose: "register"; personId: string; sessionId: string } | { purpose: "sign_in"; browserSecret: string };

export async function storeChallenge(
  db: Executor,
  challenge: string,
  binding: ChallengeBinding,
  now = new Date(),
): Promise<void> {
  // Old ceremonies are of no use: cleared as new ones start.
  await db
    .delete(webauthnChallenges)
    .where(lt(webauthnChallenges.expiresAt, new Date(now.getTime() - CHALLENGE_TTL_MS)));
  await db.insert(webauthnChallenges).values({
    challenge,
    purpose: binding.purpose,
    personId: binding.purpose === "register" ? binding.personId : null,
    sessionId: binding.purpose === "register" ? binding.sessionId : null,
    browserHash: binding.purpose === "sign_in" ? sha256Hex(binding.browserSecret) : null,
    createdAt: now,
    expiresAt: new Date(now.getTime() + CHALLENGE_TTL_MS),
  });
}

/**
 * Uses a challenge up, in one statement, before the signature is checked:
 * only a challenge this session or browser was given, not yet used and not
 * expired, and only once however many answers arrive together.
 */
export async function takeChallenge(
  db: Executor,
  challenge: string,
  binding: ChallengeBinding,
  now = new Date(),
): Promise<boolean> {
  const bound =
    binding.purpose === "register"
      ? and(eq(webauthnChallenges.personId, binding.personId), eq(webauthnChallenges.sessionId, binding.sessionId))
      : eq(webauthnChallenges.browserHash, sha256Hex(binding.browserSecret));
  const taken = await db
    .update(webauthnChallenges)
    .set({ usedAt: now })
    .where(
      and(
        eq(webauthnChallenges.challenge, challenge),
        eq(webauthnChallenges.purpose, binding.purpose),
        bound,
        isNull(webauthnChallenges.usedAt),
        gt(webauthnChallenges.expiresAt, now),
      ),
    )
    .returning({ id: webauthnChallenges.id });
  return taken.length === 1;
}

/** The challenge a WebAuthn response claims to answer, read from its clientDataJSON (verified afterwards). */
export function claimedChallenge(clientDataJSON: string): string | null {
  try {
    const parsed = JSON.parse(Buffer.from(clientDataJSON, "base64url").toString("utf8")) as { challenge?: unknown };
    return typeof parsed.challenge === "string" && /^[A-Za-z0-9_-]{16,200}$/.test(parsed.challenge)
      ? parsed.challenge
      : null;
  } catch {
    return null;
  }
}

/** A passkey's answer as the browser package returns it; the library checks every field's content. */
export const passkeyAnswerSchema = z.object({
  id: z.string().min(1).max(1024),
  rawId: z.string().min(1).max(1024),
  type: z.literal("public-key"),
  response: z.object({
    clientDataJSON: z.string().max(4096),
    authenticatorData: z.string().max(4096),
    signature: z.string().max(4096),
    userHandle: z.string().max(1024).optional(),
  }),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
});

/** Parses a passkey answer sent as JSON text; null when it is not one. */
export function parsePasskeyAnswer(json: string): z.infer<typeof passkeyAnswerSchema> | null {
  try {
    const parsed = passkeyAnswerSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
