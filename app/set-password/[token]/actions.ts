"use server";

import { z } from "zod";

import { DomainError } from "@/lib/errors";
import type { ActionState } from "@/lib/http/action";
import { requestMeta } from "@/lib/http/request-context";
import { requestLog } from "@/lib/http/request-log";
import { PASSWORD_MAX_LENGTH, setPasswordWithToken } from "@/lib/people/invitations";

/**
 * The person has no session yet: the link's token is their authentication.
 * Validated like every other action; the token is never echoed back.
 */
const schema = z
  .object({
    token: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/),
    // The length floor depends on the person's second factor: the server's rules decide it (lib/auth/password.rules.ts).
    password: z
      .string()
      .min(1, "Enter a password.")
      .max(PASSWORD_MAX_LENGTH * 4, `Use at most ${PASSWORD_MAX_LENGTH} characters.`),
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, {
    message: "The two passwords are not the same. Type it again in both fields.",
    path: ["confirm"],
  });

export async function choosePassword(
  _: ActionState<{ email: string }>,
  formData: FormData,
): Promise<ActionState<{ email: string }>> {
  const parsed = schema.safeParse({
    token: formData.get("token"),
    password: formData.get("password") ?? "",
    confirm: formData.get("confirm") ?? "",
  });
  if (!parsed.success)
    return {
      ok: false,
      error: "Please correct the highlighted fields.",
      fieldErrors: z.flattenError(parsed.error).fieldErrors as Record<string, string[]>,
    };
  const meta = await requestMeta();
  try {
    const { email } = await setPasswordWithToken(parsed.data.token, parsed.data.password, {
      actorId: null,
      actorLabel: "invited person",
      ...meta,
    });
    return { ok: true, data: { email } };
  } catch (error) {
    if (error instanceof DomainError) {
      return error.code === "weak_password"
        ? { ok: false, error: "Please correct the highlighted fields.", fieldErrors: { password: [error.message] } }
        : { ok: false, error: error.message };
    }
    (await requestLog()).error({ err: error }, "set password failed");
    return { ok: false, error: "Something went wrong. Your password was not changed; please try again." };
  }
}
