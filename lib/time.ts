/** Lengths of time in milliseconds, for arithmetic on `Date` values. Days are UTC days: 24 hours each. */
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** The moment a number of days (negative: before) from `date`. */
export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY);
}

/** The same day of the month `months` later (or earlier), in UTC; past the month's end, its last day. */
export function addMonths(date: Date, months: number): Date {
  const d = new Date(date.getTime());
  const day = d.getUTCDate();
  d.setUTCMonth(d.getUTCMonth() + months);
  // 31 Jan + 1 month is the last day of February, not 3 March.
  if (d.getUTCDate() < day) d.setUTCDate(0);
  return d;
}

/**
 * Whether `value` is a day that exists, written YYYY-MM-DD, within the years
 * given: 2026-02-30 matches the pattern and `Date.parse` takes it (as 2 March),
 * but PostgreSQL refuses it, so forms check the calendar before the database.
 */
export function isCalendarDay(value: string, years: { from: number; to: number } = { from: 1900, to: 9999 }): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  if (year < years.from || year > years.to) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
