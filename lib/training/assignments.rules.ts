import { addDays } from "@/lib/time";

/** Assignment rules: pure functions of the assignment, the person and the course. */

/** A new assignment is due `dueDays` after it is made, or after the hire date for people who have not started yet. */
export function dueDateFor(assignedAt: Date, hireDate: Date | null, dueDays: number): Date {
  const base = hireDate && hireDate > assignedAt ? hireDate : assignedAt;
  return addDays(base, dueDays);
}
