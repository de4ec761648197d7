import "server-only";

import { cookies } from "next/headers";

import { randomToken } from "@/lib/crypto/tokens";
import { env } from "@/lib/env";

import { startPasskeyPrompt } from "./passkey-sign-in";
import { CHALLENGE_TTL_MS, PASSKEY_BROWSER_COOKIE } from "./webauthn";

/**
 * A passkey prompt for this browser (sign-in, or confirming a change on
 * /account): the challenge is stored server-side, bound to a secret in an
 * HttpOnly cookie, so an answer sent from another browser is refused.
 * Returns the options for navigator.credentials.get() as JSON text.
 */
export async function promptThisBrowser(ip: string): Promise<string> {
  const jar = await cookies();
  const secret = jar.get(PASSKEY_BROWSER_COOKIE)?.value ?? randomToken();
  const options = await startPasskeyPrompt(secret, ip);
  jar.set(PASSKEY_BROWSER_COOKIE, secret, {
    httpOnly: true,
    sameSite: "strict",
    secure: env().APP_URL.startsWith("https://"),
    path: "/",
    maxAge: Math.round(CHALLENGE_TTL_MS / 1000),
  });
  return JSON.stringify(options);
}

/** This browser's passkey secret, set by the prompt. */
export async function thisBrowsersPasskeySecret(): Promise<string | null> {
  return (await cookies()).get(PASSKEY_BROWSER_COOKIE)?.value ?? null;
}
