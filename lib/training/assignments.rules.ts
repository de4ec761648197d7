/** Assignment rules: pure functions of the assignment, the person and the course. */

const DAY = 86_400_000;

/** A new assignment is due `dueDays` after it is made, or after the hire date for people who have not started yet. */
export function dueDateFor(assignedAt: Date, hireDate: Date | null, dueDays: number): Date {
  const base = hireDate && hireDate > assignedAt ? hireDate : assignedAt;
  return new Date(base.getTime() + dueDays * DAY);
}
