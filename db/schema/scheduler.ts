import { integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * The scheduler's own bookkeeping (lib/scheduler/sweep.ts): where the
 * per-person sweep goes next (`people`: each run claims the next slice, so a
 * large organisation is swept a slice a run instead of whole every run), and
 * when each hourly step last ran (`updated_at`).
 */
export const schedulerSweeps = pgTable("scheduler_sweeps", {
  name: text("name").primaryKey(),
  nextSlice: integer("next_slice").notNull().default(0),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
});
