"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";

import { requestAuditCheckpoint } from "@/lib/audit/read-checkpoints";
import { action } from "@/lib/http/action";

/** Signs the audit log's head now, for an auditor who wants an anchor before the hourly one. */
export const createCheckpoint = action(
  { permission: "action:audit.createCheckpoint", schema: z.object({}) },
  async (_input, { viewer, audit }) => {
    const checkpoint = await requestAuditCheckpoint(viewer, audit);
    revalidatePath("/audit");
    return {
      message: `Checkpoint #${checkpoint.id} signed: ${checkpoint.eventCount} events through #${checkpoint.headId}.`,
    };
  },
);
