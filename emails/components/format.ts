import { env } from "@/lib/env";

/**
 * Helpers every template shares. Dates are shown in UTC with the zone named,
 * because recipients may be anywhere and the organisation has no single zone.
 */

export const PRODUCT_NAME = "Clearance";

export function orgName(): string {
  return env().ORG_NAME;
}

/**
 * An absolute link into the app. Templates take app paths ("/courses/x"), never
 * full URLs, so an email can only ever link to APP_URL.
 */
export function appLink(path: string): string {
  if (!path.startsWith("/") || path.startsWith("//"))
    throw new Error("Email links must be app paths starting with a single '/'.");
  return env().APP_URL.replace(/\/+$/, "") + path;
}

const dateFormat = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "long",
  year: "numeric",
  timeZone: "UTC",
});
const timeFormat = new Intl.DateTimeFormat("en-GB", {
  hour: "2-digit",
  minute: "2-digit",
  hour12: false,
  timeZone: "UTC",
});

/** "13 December 2026" */
export function formatDate(date: Date): string {
  return dateFormat.format(date);
}

/** "13 December 2026, 14:05 UTC" */
export function formatDateTime(date: Date): string {
  return `${dateFormat.format(date)}, ${timeFormat.format(date)} UTC`;
}

/** "1 day", "7 days" */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
