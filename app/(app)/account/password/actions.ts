"use server";

import { z } from "zod";

import { changePassword as change } from "@/lib/auth/change-password";
import { promptThisBrowser, thisBrowsersPasskeySecret } from "@/lib/auth/passkey-prompt";
import { PASSWORD_MAX_LENGTH } from "@/lib/auth/password.rules";
import { setSessionCookie } from "@/lib/auth/session";
import { parsePasskeyAnswer } from "@/lib/auth/webauthn";
import { FieldError } from "@/lib/errors";
import { action } from "@/lib/http/action";

const schema = z
  .object({
    current: z.string().min(1, "Enter your current password.").max(1024),
    // The length floor depends on the person's second factor: lib/auth/password.rules.ts decides it.
    next: z
      .string()
      .min(1, "Enter a new password.")
      .max(PASSWORD_MAX_LENGTH * 4, `Use at most ${PASSWORD_MAX_LENGTH} characters.`),
    confirm: z.string().max(PASSWORD_MAX_LENGTH * 4),
    code: z.string().trim().max(32).optional(),
    passkey: z.string().max(16_384).optional(),
  })
  .refine((v) => v.next === v.confirm, {
    message: "The two passwords are not the same. Type it again in both fields.",
    path: ["confirm"],
  });

export const changePassword = action(
  { permission: "action:account/password.changePassword", schema },
  async (input, { viewer, audit }) => {
    let passkey;
    if (input.passkey) {
      // The prompt's challenge is bound to this browser by the cookie its Server Action set.
      const answer = parsePasskeyAnswer(input.passkey);
      const browserSecret = await thisBrowsersPasskeySecret();
      if (!answer || !browserSecret)
        throw new FieldError("passkey", "invalid_passkey", "Your passkey was not accepted. Try again.");
      passkey = { response: answer as never, browserSecret };
    }
    const { sessionId } = await change(
      viewer,
      { current: input.current, next: input.next, code: input.code || undefined, passkey },
      { ...audit, ip: audit.ip ?? "unknown", userAgent: audit.userAgent ?? null },
    );
    // Every other session has ended; this browser carries on under the new one.
    await setSessionCookie(viewer.id, sessionId);
    return { message: "Your password is changed. Every other device signed in to your account was signed out." };
  },
);

/** A passkey prompt for this browser, to confirm a password change with one of the person's passkeys. */
export const startPasskeyConfirmation = action(
  { permission: "action:account/password.startPasskeyConfirmation", schema: z.object({}) },
  async (_input, { audit }) => promptThisBrowser(audit.ip ?? "unknown"),
);
