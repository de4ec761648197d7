import { addDays, DAY } from "@/lib/time";

/** Dates are shown in UTC everywhere so a record reads the same for every viewer and auditor. */
const day = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
const dayTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

export const formatDate = (d: Date) => day.format(d);
export const formatDateTime = (d: Date) => `${dayTime.format(d)} UTC`;

export function relativeDays(target: Date, now: Date): string {
  const days = Math.round((target.getTime() - now.getTime()) / DAY);
  if (days === 0) return "today";
  if (days === 1) return "tomorrow";
  if (days === -1) return "yesterday";
  return days > 0 ? `in ${days} days` : `${-days} days ago`;
}

/** `YYYY-MM-DD` a number of days from now, for date-input defaults. */
export function isoDateInDays(days: number, from = new Date()): string {
  return addDays(from, days).toISOString().slice(0, 10);
}
