import { integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Where the scheduler's per-person sweep goes next (lib/scheduler/sweep.ts):
 * each run claims the next slice of people, so a large organisation is swept
 * a slice a run instead of whole every run.
 */
export const schedulerSweeps = pgTable("scheduler_sweeps", {
  name: text("name").primaryKey(),
  nextSlice: integer("next_slice").notNull().default(0),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
});
