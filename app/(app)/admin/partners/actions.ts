"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";

import {
  copyPartnerLink,
  createPartner,
  resendPartnerRequest,
  sendPartnerAgreement,
  voidPartnerRequest,
} from "@/lib/agreements/partner-register";
import { env } from "@/lib/env";
import { formatDate } from "@/lib/format";
import { action } from "@/lib/http/action";
import { uuidSchema } from "@/lib/ids";

export const addPartner = action(
  {
    permission: "action:admin/partners.addPartner",
    schema: z.object({
      name: z.string().trim().min(2, "Enter the partner organisation's name.").max(200),
      contactName: z.string().trim().min(2, "Enter the contact's full name.").max(200),
      contactEmail: z.email("Enter a valid email address.").max(320),
      requiredAgreements: z.preprocess(
        (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
        z.array(z.string().max(100)).min(1, "Choose at least one agreement."),
      ),
    }),
  },
  async (input, { viewer, audit }) => {
    await createPartner(viewer, audit, input);
    revalidatePath("/admin/partners");
    return { message: `${input.name} added. Send them the agreement when ready.` };
  },
);

export const sendAgreement = action(
  {
    permission: "action:admin/partners.sendAgreement",
    schema: z.object({ partnerId: uuidSchema(), agreementId: z.string().max(100) }),
  },
  async ({ partnerId, agreementId }, { viewer, audit }) => {
    await sendPartnerAgreement(viewer, audit, partnerId, agreementId);
    revalidatePath("/admin/partners");
    return { message: "Signing link emailed." };
  },
);

export const resendRequest = action(
  { permission: "action:admin/partners.resendRequest", schema: z.object({ requestId: uuidSchema() }) },
  async ({ requestId }, { viewer, audit }) => {
    await resendPartnerRequest(viewer, audit, requestId);
    revalidatePath("/admin/partners");
    return { message: "A new link was emailed; the old one no longer works." };
  },
);

export const copyLink = action(
  { permission: "action:admin/partners.copyLink", schema: z.object({ requestId: uuidSchema() }) },
  async ({ requestId }, { viewer, audit }) => {
    const { path, expiresAt } = await copyPartnerLink(viewer, audit, requestId);
    revalidatePath("/admin/partners");
    return {
      message: `A new link, valid until ${formatDate(expiresAt)}; the emailed one no longer works.`,
      data: { url: new URL(path, env().APP_URL).toString() },
    };
  },
);

export const voidRequest = action(
  { permission: "action:admin/partners.voidRequest", schema: z.object({ requestId: uuidSchema() }) },
  async ({ requestId }, { viewer, audit }) => {
    await voidPartnerRequest(viewer, audit, requestId);
    revalidatePath("/admin/partners");
    return { message: "The link was voided." };
  },
);
