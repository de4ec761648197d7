"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";

import { action } from "@/lib/http/action";
import { CORRECTABLE_FIELDS, requestCorrection, updatePreferences } from "@/lib/privacy/preferences";

export const savePreferences = action(
  {
    permission: "action:account/data.savePreferences",
    schema: z.object({
      managerSeesScores: z.enum(["scores", "pass_fail"]),
    }),
  },
  async ({ managerSeesScores }, { viewer, audit }) => {
    await updatePreferences(viewer, audit, { managerSeesScores: managerSeesScores === "scores" });
    revalidatePath("/account/data");
    return { message: "Preferences saved." };
  },
);

export const askForCorrection = action(
  {
    permission: "action:account/data.askForCorrection",
    schema: z.object({
      field: z.enum(
        Object.keys(CORRECTABLE_FIELDS) as [keyof typeof CORRECTABLE_FIELDS, ...(keyof typeof CORRECTABLE_FIELDS)[]],
      ),
      requestedValue: z.string().trim().min(1, "Say what it should be.").max(500),
      note: z.string().trim().max(2000).optional(),
    }),
  },
  async (input, { viewer, audit }) => {
    await requestCorrection(viewer, audit, input);
    revalidatePath("/account/data");
    return { message: "Request sent. Your compliance team will review it." };
  },
);
