"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";

import { action } from "@/lib/http/action";
import { uuidSchema } from "@/lib/ids";
import { resolveCorrection } from "@/lib/privacy/preferences";

export const resolve = action(
  {
    permission: "action:admin/corrections.resolve",
    schema: z.object({
      id: uuidSchema(),
      outcome: z.enum(["resolved", "rejected"]),
      resolution: z.string().trim().max(2000).default(""),
    }),
  },
  async ({ id, outcome, resolution }, { viewer, audit }) => {
    await resolveCorrection(viewer, audit, id, outcome, resolution);
    revalidatePath("/admin/corrections");
    return { message: outcome === "resolved" ? "Marked as corrected." : "Rejected." };
  },
);
