import { env } from "@/lib/env";

/** Helpers every template shares; dates come from `@/lib/format` (long form, in UTC, the zone named). */

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

/** "1 day", "7 days": the one helper, in lib/format. */
export { plural } from "@/lib/format";
