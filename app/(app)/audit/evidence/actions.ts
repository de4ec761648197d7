"use server";

import { revalidatePath } from "next/cache";
import { after } from "next/server";

import { packRequestSchema, requestEvidencePack, runEvidencePacks } from "@/lib/evidence/packs";
import { action } from "@/lib/http/action";

/** Queues an evidence pack and starts making it at once; asking again while it is made returns the same pack. */
export const generatePack = action(
  { permission: "action:audit/evidence.generatePack", schema: packRequestSchema },
  async (input, { viewer, audit }) => {
    const { id, created } = await requestEvidencePack(viewer, audit, input);
    after(() => runEvidencePacks().then(() => undefined));
    revalidatePath("/audit/evidence");
    return {
      message: created
        ? "The pack is being made. It appears below with its progress; you can leave this page."
        : "This pack is already being made: its progress is below.",
      data: { id },
    };
  },
);
