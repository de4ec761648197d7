"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";

import { emailCadences } from "@/db/schema";
import { action } from "@/lib/http/action";
import { setOrganisationCadence } from "@/lib/notify/cadence";

export const setDefaultCadence = action(
  {
    permission: "action:admin/outbox.setDefaultCadence",
    schema: z.object({ cadence: z.enum(emailCadences, "Choose a default cadence.") }),
  },
  async ({ cadence }, { viewer, audit }) => {
    await setOrganisationCadence(viewer, audit, cadence);
    revalidatePath("/admin/outbox");
    return { message: "Default email cadence saved." };
  },
);
