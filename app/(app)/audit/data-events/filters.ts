import "server-only";

import { getDb } from "@/db/client";
import { resolvePeople } from "@/lib/access/check";

/** The CSV export stops at this many events, newest first; the page says so. */
export const MAX_EXPORT_ROWS = 100_000;

/** The page's and the export's filters, read the same way from the query string. */
export type DataEventFilters = { uncleared: boolean; person: string; before?: number };

export function parseDataEventFilters(
  params: URLSearchParams | Record<string, string | string[] | undefined>,
): DataEventFilters {
  const get = (key: string) => {
    const v = params instanceof URLSearchParams ? params.get(key) : params[key];
    return (Array.isArray(v) ? v[0] : v) ?? "";
  };
  const before = Number(get("before"));
  return {
    uncleared: get("uncleared") === "1",
    person: get("person").trim().slice(0, 320),
    before: Number.isSafeInteger(before) && before > 0 ? before : undefined,
  };
}

/** The query string for a set of filters (for links and the CSV export), without empty values. */
export function filterQuery(filters: Partial<DataEventFilters>): string {
  const q = new URLSearchParams();
  if (filters.uncleared) q.set("uncleared", "1");
  if (filters.person) q.set("person", filters.person);
  if (filters.before) q.set("before", String(filters.before));
  const s = q.toString();
  return s ? `?${s}` : "";
}

/**
 * The person filter is an email address (or a person id). Call only after the
 * viewer's role was checked: it says whether such a person exists.
 */
export async function personIdFor(person: string): Promise<string | null> {
  if (!person) return null;
  const found = await resolvePeople(await getDb(), [person]);
  return found.get(person.toLowerCase()) ?? null;
}
