import { eq } from "drizzle-orm";

import type { Db } from "@/db/client";
import { quizAttempts } from "@/db/schema";
import type { DrawnQuestion } from "@/lib/training/quiz.rules";

/** Answers for every question an attempt drew, read from the server's copy: all right, or each one wrong. */
export async function answersFor(db: Db, attemptId: string, right: boolean) {
  const [row] = await db.select({ drawn: quizAttempts.drawn }).from(quizAttempts).where(eq(quizAttempts.id, attemptId));
  return Object.fromEntries(
    (row.drawn as DrawnQuestion[]).map((q) => [
      q.id,
      right
        ? q.correct
        : q.options
            .filter((o) => !(q.correct as string[]).includes(o.id))
            .slice(0, 1)
            .map((o) => o.id),
    ]),
  );
}
