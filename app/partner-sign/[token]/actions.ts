"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";

import { consentCodeSchema } from "@/lib/agreements/consent-code";
import { keepPartnerBrowserKey, partnerBrowserKey } from "@/lib/agreements/partner-browser";
import {
  partnerConsent,
  partnerDecline,
  partnerSign,
  sendPartnerCode,
  verifyPartnerCode,
} from "@/lib/agreements/partner-signing";
import { MAX_SIGNATURE_IMAGE_BYTES } from "@/lib/agreements/signature-image";
import { DomainError, FieldError } from "@/lib/errors";
import { readForm, type ActionState } from "@/lib/http/action";
import { requestMeta } from "@/lib/http/request-context";
import { requestLog } from "@/lib/http/request-log";

/**
 * Partner signers have no account: the link's token (and, from the second
 * step on, the cookie set when this browser confirmed the emailed code) is
 * their authentication. These actions validate like every other and never
 * reveal more than the link allows.
 */
const token = z.string().regex(/^[A-Za-z0-9_-]{20,100}$/);

async function run<T extends z.ZodType>(
  schema: T,
  formData: FormData,
  work: (
    input: z.infer<T>,
    context: { actorId: null; actorLabel: string; ip: string; userAgent: string | null },
  ) => Promise<string>,
): Promise<ActionState> {
  const form = readForm(formData);
  if (!form.ok) return form.state;
  const parsed = schema.safeParse(form.input);
  if (!parsed.success)
    return {
      ok: false,
      error: "Please correct the highlighted fields.",
      fieldErrors: z.flattenError(parsed.error).fieldErrors as Record<string, string[]>,
    };
  const meta = await requestMeta();
  try {
    const message = await work(parsed.data, { actorId: null, actorLabel: "partner signer", ...meta });
    // After declining the link is spent: keep the confirmation on screen rather than re-render to "already used".
    // After signing, the page re-renders as the completion page, with the download, for this browser.
    if (message !== "declined") revalidatePath(`/partner-sign/${(parsed.data as { token: string }).token}`);
    return { ok: true, message };
  } catch (error) {
    if (error instanceof FieldError)
      return { ok: false, error: error.message, fieldErrors: { [error.field]: [error.message] } };
    if (error instanceof DomainError) return { ok: false, error: error.message };
    (await requestLog()).error({ err: error }, "partner signing failed");
    return { ok: false, error: "Something went wrong. Nothing was signed; please try again." };
  }
}

export async function requestCode(_: ActionState, formData: FormData) {
  return run(z.object({ token }), formData, async ({ token }, ctx) => {
    await sendPartnerCode(token, ctx);
    return "We have emailed you a 6-digit code. It is valid for 10 minutes.";
  });
}

export async function confirmCode(_: ActionState, formData: FormData) {
  return run(
    z.object({
      token,
      code: z
        .string()
        .trim()
        .regex(/^\d{6}$/, "Enter the 6-digit code from the email."),
    }),
    formData,
    async ({ token, code }, ctx) => {
      const confirmed = await verifyPartnerCode(token, code, ctx);
      await keepPartnerBrowserKey(token, confirmed.browserKey, confirmed.expiresAt);
      return "Email address confirmed.";
    },
  );
}

export async function giveConsent(_: ActionState, formData: FormData) {
  return run(
    z.object({
      token,
      consent: z.literal("yes", { message: "Tick the box to give your consent, or decline below." }),
      consentCode: consentCodeSchema,
    }),
    formData,
    async ({ token, consentCode }, ctx) => {
      await partnerConsent(token, await partnerBrowserKey(token), consentCode, ctx);
      return "Consent recorded.";
    },
  );
}

export async function sign(_: ActionState, formData: FormData) {
  return run(
    z.object({
      token,
      typedName: z.string().trim().min(1, "Type your full name.").max(200),
      signature: z
        .string()
        .max(Math.ceil(MAX_SIGNATURE_IMAGE_BYTES * 1.4))
        .optional(),
    }),
    formData,
    async ({ token, typedName, signature }, ctx) => {
      await partnerSign(
        token,
        await partnerBrowserKey(token),
        { typedName, signatureDataUrl: signature || undefined },
        ctx,
      );
      return "signed";
    },
  );
}

export async function decline(_: ActionState, formData: FormData) {
  return run(
    z.object({ token, reason: z.string().max(1000).default("") }),
    formData,
    async ({ token, reason }, ctx) => {
      await partnerDecline(token, await partnerBrowserKey(token), reason, ctx);
      return "declined";
    },
  );
}
