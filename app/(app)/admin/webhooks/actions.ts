"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/http/action";
import { createWebhook, deactivateWebhook, webhookInputSchema } from "@/lib/webhooks/manage-webhooks";

const admin = { roles: ["compliance_admin" as const] };

export const addWebhook = action({ ...admin, schema: webhookInputSchema }, async (input, { viewer, audit }) => {
  const { id, secret } = await createWebhook(viewer, audit, input);
  revalidatePath("/admin/webhooks");
  // The only time the secret leaves the server: the form shows it once.
  return { message: "Webhook added. Copy its signing secret now: it will not be shown again.", data: { id, secret } };
});

export const deactivate = action({ ...admin, schema: z.object({ webhookId: z.uuid() }) }, async ({ webhookId }, { viewer, audit }) => {
  await deactivateWebhook(viewer, audit, webhookId);
  revalidatePath("/admin/webhooks");
  revalidatePath(`/admin/webhooks/${webhookId}`);
  return { message: "Webhook deactivated." };
});
