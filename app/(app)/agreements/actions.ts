"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";

import { consentCodeSchema } from "@/lib/agreements/consent-code";
import { declineAsEmployee, giveConsent, markRead, signAsEmployee } from "@/lib/agreements/employee-agreements";
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
    // What each signature level needs (a typed name, a confirmation, a drawing) is checked beside the agreement.
    schema: z.object({
      ...ids,
      typedName: z.string().trim().max(200).optional(),
      password: z.string().max(1024).optional(),
      code: z.string().max(16).optional(),
      signature: z
        .string()
        .max(Math.ceil(MAX_SIGNATURE_IMAGE_BYTES * 1.4))
        .optional(),
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

export const markAgreementRead = action(
  { permission: "action:agreements.markAgreementRead", schema: z.object(ids) },
  async ({ agreementId, ceremonyId }, { viewer }) => {
    const readAt = await markRead(viewer, agreementId, ceremonyId);
    return { message: "Read to the end.", data: { readAt: readAt.toISOString() } };
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
