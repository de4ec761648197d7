"use server";

import { promptThisBrowser } from "@/lib/auth/passkey-prompt";
import { DomainError } from "@/lib/errors";
import type { ActionState } from "@/lib/http/action";
import { requestMeta } from "@/lib/http/request-context";
import { requestLog } from "@/lib/http/request-log";

/**
 * Public: a passkey prompt for sign-in (passwordless, or the second step
 * after a password). Its challenge is bound to this browser.
 */
export async function startPasskeySignIn(): Promise<ActionState<string>> {
  try {
    return { ok: true, data: await promptThisBrowser((await requestMeta()).ip) };
  } catch (error) {
    if (error instanceof DomainError) return { ok: false, error: error.message };
    (await requestLog()).error({ err: error }, "passkey prompt failed");
    return { ok: false, error: "Something went wrong. Please try again." };
  }
}
