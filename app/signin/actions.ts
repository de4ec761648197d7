"use server";

import { cookies } from "next/headers";

import { startPasskeyPrompt } from "@/lib/auth/passkey-sign-in";
import { CHALLENGE_TTL_MS, PASSKEY_BROWSER_COOKIE } from "@/lib/auth/webauthn";
import { randomToken } from "@/lib/crypto/tokens";
import { env } from "@/lib/env";
import { DomainError } from "@/lib/errors";
import type { ActionState } from "@/lib/http/action";
import { requestMeta } from "@/lib/http/request-context";

/**
 * Public: a passkey prompt for sign-in (passwordless, or the second step
 * after a password). Its challenge is stored server-side, bound to a secret
 * in an HttpOnly cookie of this browser, so an answer sent from elsewhere is refused.
 */
export async function startPasskeySignIn(): Promise<ActionState<string>> {
  const jar = await cookies();
  const secret = jar.get(PASSKEY_BROWSER_COOKIE)?.value ?? randomToken();
  try {
    const options = await startPasskeyPrompt(secret, (await requestMeta()).ip);
    const secure = env().APP_URL.startsWith("https://");
    jar.set(PASSKEY_BROWSER_COOKIE, secret, {
      httpOnly: true,
      sameSite: "strict",
      secure,
      path: "/",
      maxAge: Math.round(CHALLENGE_TTL_MS / 1000),
    });
    return { ok: true, data: JSON.stringify(options) };
  } catch (error) {
    if (error instanceof DomainError) return { ok: false, error: error.message };
    console.error("[clearance] passkey prompt failed:", error instanceof Error ? error.name : "unknown");
    return { ok: false, error: "Something went wrong. Please try again." };
  }
}
