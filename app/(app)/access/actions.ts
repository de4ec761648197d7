"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";

import { decideRequest, requestAccess, revokeGrant } from "@/lib/access/approvals";
import { describeReason } from "@/lib/access/describe";
import { listInWords } from "@/lib/format";
import { action } from "@/lib/http/action";
import { uuidSchema } from "@/lib/ids";

export const requestRole = action(
  {
    permission: "action:access.requestRole",
    schema: z.object({
      roleId: z.string().regex(/^[a-z0-9-]{1,100}$/),
      justification: z
        .string()
        .trim()
        .min(10, "Explain in a sentence or two why your work needs this access.")
        .max(2000),
    }),
  },
  async ({ roleId, justification }, { viewer, audit }) => {
    await requestAccess(viewer, audit, roleId, justification);
    revalidatePath("/access");
    return { message: "Request sent to your approver." };
  },
);

export const decide = action(
  {
    permission: "action:access.decide",
    schema: z.object({
      grantId: uuidSchema(),
      decision: z.enum(["approve", "deny"]),
      comment: z.string().trim().max(2000).optional(),
      endsOn: z.union([z.literal(""), z.iso.date("Choose a valid end date.")]).optional(),
    }),
  },
  async ({ grantId, decision, comment, endsOn }, { viewer, audit }) => {
    const outcome = await decideRequest(viewer, audit, grantId, {
      approve: decision === "approve",
      comment,
      endsAt: endsOn ? new Date(`${endsOn}T23:59:59Z`) : null,
    });
    revalidatePath("/access/approvals");
    if (outcome.status === "denied") return { message: "Denied." };
    if (outcome.pending.length === 0) return { message: "Approved. The role is in effect now." };
    const todo = outcome.pending.map((r) => describeReason(r, "them").text.replace(/^./, (c) => c.toLowerCase()));
    return { message: `Approved. It takes effect once these are done: ${listInWords(todo)}.` };
  },
);

export const revoke = action(
  {
    permission: "action:access.revoke",
    schema: z.object({ grantId: uuidSchema(), reason: z.string().trim().max(2000).default("") }),
  },
  async ({ grantId, reason }, { viewer, audit }) => {
    await revokeGrant(viewer, audit, grantId, reason);
    revalidatePath("/access/approvals");
    return { message: "Revoked." };
  },
);
