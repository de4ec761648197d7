import "server-only";

import { and, eq, isNull, lt, or } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { people } from "@/db/schema";

/**
 * Records that `step` of a person's authenticator was used, in one statement:
 * true for the first use, false when that step (or a later one) was already
 * used, so one code opens one session or one signature however many requests
 * carry it at once.
 */
export async function claimTotpStep(db: Executor, personId: string, step: number): Promise<boolean> {
  const claimed = await db
    .update(people)
    .set({ mfaLastStep: step })
    .where(and(eq(people.id, personId), or(isNull(people.mfaLastStep), lt(people.mfaLastStep, step))))
    .returning({ id: people.id });
  return claimed.length === 1;
}
