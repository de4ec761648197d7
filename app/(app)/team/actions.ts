"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";

import { action } from "@/lib/http/action";
import { uuidSchema } from "@/lib/ids";
import { nudgeAllOverdue, nudgePerson, type NudgeOutcome } from "@/lib/team/nudge";
import { teamFiltersSchema } from "@/lib/team/view";

function describe(outcome: NudgeOutcome, who: string): string {
  if (outcome.emails === 0)
    return outcome.alreadyNudged > 0
      ? `${who} already had a reminder today for each item; nothing more was sent.`
      : `Nothing to remind ${who} about.`;
  const items = `${outcome.items} item${outcome.items === 1 ? "" : "s"}`;
  return `One reminder sent to ${who} listing ${items}.`;
}

export const nudgeOne = action(
  { permission: "action:team.nudgeOne", schema: z.object({ personId: uuidSchema() }) },
  async ({ personId }, { viewer, audit }) => {
    const outcome = await nudgePerson(viewer, audit, personId);
    revalidatePath("/team");
    revalidatePath(`/people/${personId}`);
    // Who it was for, so the team table can answer in that person's row.
    return { message: describe(outcome, outcome.name), data: { personId } };
  },
);

export const nudgeOverdue = action(
  { permission: "action:team.nudgeOverdue", schema: teamFiltersSchema },
  async (filters, { viewer, audit }) => {
    const outcome = await nudgeAllOverdue(viewer, audit, filters);
    revalidatePath("/team");
    if (outcome.emails === 0)
      return {
        message:
          outcome.alreadyNudged > 0 ? "Everyone overdue here was already reminded today." : "No one here is overdue.",
      };
    return {
      message: `Reminded ${outcome.people} ${outcome.people === 1 ? "person" : "people"} about ${outcome.items} overdue item${outcome.items === 1 ? "" : "s"}, one email each.`,
    };
  },
);
