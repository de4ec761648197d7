"use server";

import { after } from "next/server";
import { z } from "zod";

import { requestPasswordReset } from "@/lib/auth/password-reset";
import type { ActionState } from "@/lib/http/action";
import { requestMeta } from "@/lib/http/request-context";
import { requestLog } from "@/lib/http/request-log";

const schema = z.object({
  email: z
    .string()
    .trim()
    .min(3, "Enter your work email address.")
    .max(320)
    .email("Enter an email address like name@example.com."),
});

const RESET_ANSWER =
  "If an account uses that address, we have sent it a link to choose a new password. The link works once, for 30 minutes. Check your inbox and spam folder.";

/**
 * Public: anyone may ask. The answer is the same whether or not the address
 * has an account, and it leaves before the lookup and the email are done, so
 * its timing says nothing either (outside a request, as in tests, the work
 * runs inline).
 */
export async function requestReset(_: ActionState, formData: FormData): Promise<ActionState> {
  const parsed = schema.safeParse({ email: formData.get("email") ?? "" });
  if (!parsed.success)
    return {
      ok: false,
      error: "Please correct the highlighted fields.",
      fieldErrors: z.flattenError(parsed.error).fieldErrors as Record<string, string[]>,
    };
  const meta = await requestMeta();
  const log = await requestLog();
  const work = () =>
    requestPasswordReset(parsed.data.email, meta).then(
      () => undefined,
      (error: unknown) => log.error({ err: error }, "password reset request failed"),
    );
  try {
    after(work);
  } catch {
    await work();
  }
  return { ok: true, message: RESET_ANSWER };
}
