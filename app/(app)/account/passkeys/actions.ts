"use server";

import type { RegistrationResponseJSON } from "@simplewebauthn/server";
import { revalidatePath } from "next/cache";
import { z } from "zod";

import {
  finishPasskeyRegistration,
  removePasskey as remove,
  renamePasskey as rename,
  startPasskeyRegistration,
} from "@/lib/auth/passkeys";
import { reissueSession } from "@/lib/auth/session";
import { currentSessionId } from "@/lib/auth/viewer";
import { DomainError } from "@/lib/errors";
import { action } from "@/lib/http/action";
import { uuidSchema } from "@/lib/ids";

const passkeyName = z
  .string()
  .trim()
  .min(1, "Give the passkey a name, such as “Work laptop”.")
  .max(60, "Use at most 60 characters.");

async function sessionOrFail(): Promise<string> {
  const sid = await currentSessionId();
  if (!sid)
    throw new DomainError("no_session", "This browser's session could not be read. Reload the page and try again.");
  return sid;
}

export const beginPasskey = action(
  { permission: "action:account/passkeys.beginPasskey", schema: z.object({}) },
  async (_, { viewer }) => {
    return JSON.stringify(await startPasskeyRegistration(viewer, await sessionOrFail()));
  },
);

/** The browser package's registration answer; the library checks every field's content. */
const registration = z.object({
  id: z.string().min(1).max(1024),
  rawId: z.string().min(1).max(1024),
  type: z.literal("public-key"),
  response: z.object({
    clientDataJSON: z.string().max(4096),
    attestationObject: z.string().max(16_384),
    transports: z.array(z.string().max(32)).max(10).optional(),
    authenticatorData: z.string().max(16_384).optional(),
    publicKey: z.string().max(4096).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
  }),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
});

const addSchema = z.object({
  name: passkeyName,
  response: z
    .string()
    .max(32_768)
    .transform((text, ctx) => {
      try {
        const parsed = registration.safeParse(JSON.parse(text));
        if (parsed.success) return parsed.data as RegistrationResponseJSON;
      } catch {
        /* reported below */
      }
      ctx.addIssue({ code: "custom", message: "Your device's answer was not readable. Try again." });
      return z.NEVER;
    }),
});

export const addPasskey = action(
  { permission: "action:account/passkeys.addPasskey", schema: addSchema },
  async ({ name, response }, { viewer, audit }) => {
    const { firstFactor } = await finishPasskeyRegistration(viewer, await sessionOrFail(), response, name, audit);
    // The first second factor changes what this session rests on: it is replaced, as after TOTP enrolment.
    if (firstFactor)
      await reissueSession(
        viewer.id,
        "password+passkey",
        { ip: audit.ip ?? "unknown", userAgent: audit.userAgent ?? null },
        "mfa_changed",
      );
    revalidatePath("/account");
    return { message: `Passkey “${name}” added. You can use it to sign in.` };
  },
);

export const renamePasskey = action(
  {
    permission: "action:account/passkeys.renamePasskey",
    schema: z.object({ passkeyId: uuidSchema(), name: passkeyName }),
  },
  async ({ passkeyId, name }, { viewer, audit }) => {
    await rename(viewer, passkeyId, name, audit);
    revalidatePath("/account");
    return { message: "Passkey renamed." };
  },
);

export const removePasskey = action(
  { permission: "action:account/passkeys.removePasskey", schema: z.object({ passkeyId: uuidSchema() }) },
  async ({ passkeyId }, { viewer, audit }) => {
    const { mfaTurnedOff } = await remove(viewer, passkeyId, audit);
    if (mfaTurnedOff)
      await reissueSession(
        viewer.id,
        "password",
        { ip: audit.ip ?? "unknown", userAgent: audit.userAgent ?? null },
        "mfa_changed",
      );
    revalidatePath("/account");
    return { message: mfaTurnedOff ? "Passkey removed. Two-factor authentication is now off." : "Passkey removed." };
  },
);
