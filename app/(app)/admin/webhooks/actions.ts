"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";

import { action } from "@/lib/http/action";
import { uuidSchema } from "@/lib/ids";
import { createWebhook, deactivateWebhook, webhookInputSchema } from "@/lib/webhooks/manage-webhooks";

export const addWebhook = action(
  { permission: "action:admin/webhooks.addWebhook", schema: webhookInputSchema },
  async (input, { viewer, audit }) => {
    const { id, secret } = await createWebhook(viewer, audit, input);
    revalidatePath("/admin/webhooks");
    // The only time the secret leaves the server: the form shows it once.
    return { message: "Webhook added. Copy its signing secret now: it will not be shown again.", data: { id, secret } };
  },
);

export const deactivate = action(
  { permission: "action:admin/webhooks.deactivate", schema: z.object({ webhookId: uuidSchema() }) },
  async ({ webhookId }, { viewer, audit }) => {
    await deactivateWebhook(viewer, audit, webhookId);
    revalidatePath("/admin/webhooks");
    revalidatePath(`/admin/webhooks/${webhookId}`);
    return { message: "Webhook deactivated." };
  },
);
