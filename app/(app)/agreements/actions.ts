"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";

import { consentCodeSchema } from "@/lib/agreements/consent-code";
import { declineAsEmployee, giveConsent, signAsEmployee } from "@/lib/agreements/employee-agreements";
import { MAX_SIGNATURE_IMAGE_BYTES } from "@/lib/agreements/signature-image";
import { action } from "@/lib/http/action";
import { uuidSchema } from "@/lib/ids";

const ids = { agreementId: z.string().regex(/^[a-z0-9-]{1,100}$/), ceremonyId: uuidSchema() };

export const consentToSign = action(
  {
    permission: "action:agreements.consentToSign",
    schema: z.object({
      ...ids,
      consent: z.literal("yes", { message: "Tick the box to give your consent, or decline below." }),
      consentCode: consentCodeSchema,
    }),
  },
  async ({ agreementId, ceremonyId, consentCode }, { viewer, audit }) => {
    await giveConsent(viewer, { ...audit, ip: audit.ip ?? "unknown" }, agreementId, ceremonyId, consentCode);
    revalidatePath(`/agreements/${agreementId}`);
    return { message: "Consent recorded." };
  },
);

export const signAgreement = action(
  {
    permission: "action:agreements.signAgreement",
    schema: z
      .object({
        ...ids,
        typedName: z.string().trim().min(1, "Type your full legal name.").max(200),
        password: z.string().max(1024).optional(),
        code: z.string().max(16).optional(),
        signature: z
          .string()
          .max(Math.ceil(MAX_SIGNATURE_IMAGE_BYTES * 1.4))
          .optional(),
      })
      .refine((v) => Boolean(v.password || v.code), {
        message: "Confirm it is you with your password or an authenticator code.",
        path: ["password"],
      }),
  },
  async (input, { viewer, audit }) => {
    const { signatureId } = await signAsEmployee(
      viewer,
      { ...audit, ip: audit.ip ?? "unknown" },
      { ...input, signatureDataUrl: input.signature || undefined },
    );
    revalidatePath("/agreements");
    redirect(`/agreements?signed=${signatureId}`);
  },
);

export const declineAgreement = action(
  {
    permission: "action:agreements.declineAgreement",
    schema: z.object({ agreementId: ids.agreementId, reason: z.string().max(1000).default("") }),
  },
  async ({ agreementId, reason }, { viewer, audit }) => {
    await declineAsEmployee(viewer, { ...audit, ip: audit.ip ?? "unknown" }, agreementId, reason);
    revalidatePath("/agreements");
    redirect("/agreements?declined=1");
  },
);
