"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";

import { action } from "@/lib/http/action";
import { uuidSchema } from "@/lib/ids";
import { createWebhook, deactivateWebhook, webhookInputSchema } from "@/lib/webhooks/manage-webhooks";
import {
  disconnectLrs as disconnectLrsSettings,
  lrsInputSchema,
  resendFailedStatements,
  saveLrsSettings,
} from "@/lib/xapi/manage-lrs";

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

export const saveLrs = action(
  { permission: "action:admin/webhooks.saveLrs", schema: lrsInputSchema },
  async (input, { viewer, audit }) => {
    const saved = await saveLrsSettings(viewer, audit, input);
    revalidatePath("/admin/webhooks");
    const done = saved.firstConnection ? "Connected" : "Saved";
    return {
      message: `${done}: statements go to ${saved.endpoint}. ${saved.check.message}`,
      data: { check: saved.check },
    };
  },
);

export const disconnectLrs = action(
  { permission: "action:admin/webhooks.disconnectLrs", schema: z.object({}) },
  async (_input, { viewer, audit }) => {
    await disconnectLrsSettings(viewer, audit);
    revalidatePath("/admin/webhooks");
    return {
      message: "Disconnected. Nothing new is queued; statements already waiting go out if a store is connected again.",
    };
  },
);

export const resendStatements = action(
  { permission: "action:admin/webhooks.resendStatements", schema: z.object({}) },
  async (_input, { viewer, audit }) => {
    const { requeued } = await resendFailedStatements(viewer, audit);
    revalidatePath("/admin/webhooks");
    return {
      message:
        requeued === 0
          ? "No failed statement to send again."
          : `${requeued} ${requeued === 1 ? "statement" : "statements"} queued again; they go out on the next scheduler run.`,
    };
  },
);
