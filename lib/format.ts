import { addDays, DAY } from "@/lib/time";

/**
 * Dates are shown in UTC everywhere, the zone named beside every time, so a record reads the same for every
 * viewer, recipient and auditor. Screens use the short month ("13 Dec 2026"); what leaves the app — emails,
 * PDFs, public pages — spells it out ("13 December 2026").
 */
const utc = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat("en-GB", { ...options, timeZone: "UTC" });
const shortDate = utc({ day: "numeric", month: "short", year: "numeric" });
const longDate = utc({ day: "numeric", month: "long", year: "numeric" });
const monthYear = utc({ month: "short", year: "numeric" });
const hourMinute = utc({ hour: "2-digit", minute: "2-digit", hour12: false });
const hourMinuteSecond = utc({ hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });

/** Seconds where the order of close events matters: audit records and signed documents. */
type TimeOptions = { seconds?: boolean };

/** "13 Dec 2026" */
export function formatDate(date: Date): string {
  return shortDate.format(date);
}

/** "13 Dec 2026, 14:05 UTC", or "13 Dec 2026, 14:05:09 UTC" with seconds. */
export function formatDateTime(date: Date, options?: TimeOptions): string {
  return `${formatDate(date)}, ${formatTime(date, options)}`;
}

/** "13 December 2026", from a date or a `YYYY-MM-DD` day. */
export function formatLongDate(date: Date | string): string {
  return longDate.format(typeof date === "string" ? new Date(`${date}T00:00:00Z`) : date);
}

/** "13 December 2026, 14:05 UTC", or "13 December 2026, 14:05:09 UTC" with seconds. */
export function formatLongDateTime(date: Date, options?: TimeOptions): string {
  return `${formatLongDate(date)}, ${formatTime(date, options)}`;
}

/** "14:05 UTC", or "14:05:09 UTC" with seconds. */
export function formatTime(date: Date, { seconds = false }: TimeOptions = {}): string {
  return `${(seconds ? hourMinuteSecond : hourMinute).format(date)} UTC`;
}

/** "Dec 2026" */
export function formatMonth(date: Date): string {
  return monthYear.format(date);
}

/** "2026-12-13", the UTC day: file names, CSV cells, date inputs and once-a-day keys. */
export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** "today", "tomorrow", "in 3 days", "2 days ago". */
export function relativeDays(target: Date, now: Date): string {
  const days = Math.round((target.getTime() - now.getTime()) / DAY);
  if (days === 0) return "today";
  if (days === 1) return "tomorrow";
  if (days === -1) return "yesterday";
  return days > 0 ? `in ${days} days` : `${-days} days ago`;
}

/** `YYYY-MM-DD` a number of days from now, for date-input defaults. */
export function isoDateInDays(days: number, from = new Date()): string {
  return isoDate(addDays(from, days));
}

/** "1 year", "3 years", "1 person": a count with its noun, plural when it is not one. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count.toLocaleString("en-GB")} ${count === 1 ? singular : pluralForm}`;
}

/** "a", "a and b", "a, b and c". */
export function listInWords(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

const PERIOD_UNITS = { Y: "year", M: "month", W: "week", D: "day" } as const;

/** An ISO 8601 period in words: "P1Y" → "1 year", "P90D" → "90 days", "P1Y6M" → "1 year 6 months". */
export function periodInWords(period: string): string {
  const parts = [...period.replace(/^P/, "").matchAll(/(\d+)([YMWD])/g)].map(([, n, unit]) =>
    plural(Number(n), PERIOD_UNITS[unit as keyof typeof PERIOD_UNITS]),
  );
  return parts.length ? parts.join(" ") : period;
}
