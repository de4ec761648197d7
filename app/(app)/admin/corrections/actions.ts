"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";

import { action } from "@/lib/http/action";
import { uuidSchema } from "@/lib/ids";
import { applyCorrection } from "@/lib/privacy/apply-correction";
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

export const apply = action(
  {
    permission: "action:admin/corrections.apply",
    schema: z.object({
      id: uuidSchema(),
      value: z.string().max(500, "Use at most 500 characters."),
      resolution: z.string().trim().max(2000).default(""),
    }),
  },
  async (input, { viewer, audit }) => {
    const { changed } = await applyCorrection(viewer, audit, input);
    revalidatePath("/admin/corrections");
    revalidatePath("/admin/people");
    return {
      message:
        changed.length > 0
          ? "Record updated and request resolved."
          : "Request resolved; the record already had this value.",
    };
  },
);
