import { z } from "zod";

import { addDays, addMonths, isCalendarDay } from "@/lib/time";

/**
 * The exceptions report's period, department and overdue allowance, read the
 * same way by its page and its CSV from a query string: anything unreadable
 * falls back to the default (the last twelve months to today, the whole
 * organisation, 30 days).
 */
export type ExceptionFilters = { from: string; to: string; department: string | null; overdueDays: number };

const day = z.string().refine((v) => isCalendarDay(v, { from: 2000, to: 9999 }));

export function parseExceptionFilters(
  params: URLSearchParams | Record<string, string | string[] | undefined>,
  today = new Date(),
): ExceptionFilters {
  const get = (key: string) => {
    const v = params instanceof URLSearchParams ? params.get(key) : params[key];
    return (Array.isArray(v) ? v[0] : v) ?? undefined;
  };
  const end = today.toISOString().slice(0, 10);
  const start = addMonths(new Date(`${end}T00:00:00Z`), -12)
    .toISOString()
    .slice(0, 10);
  let from = day.safeParse(get("from")).data ?? start;
  let to = day.safeParse(get("to")).data ?? end;
  if (from > to) [from, to] = [to, from];
  const department = z
    .string()
    .regex(/^[a-z0-9-]{1,80}$/)
    .safeParse(get("department")).data;
  const overdueDays = z.coerce.number().int().min(0).max(3650).safeParse(get("overdueDays")).data ?? 30;
  return { from, to, department: department ?? null, overdueDays };
}

/** The period as instants: from the start of `from` to the end of `to` (UTC). */
export function exceptionPeriod(filters: ExceptionFilters): { from: Date; to: Date } {
  return { from: new Date(`${filters.from}T00:00:00Z`), to: addDays(new Date(`${filters.to}T00:00:00Z`), 1) };
}

export function exceptionQuery(filters: ExceptionFilters): string {
  const q = new URLSearchParams({ from: filters.from, to: filters.to, overdueDays: String(filters.overdueDays) });
  if (filters.department) q.set("department", filters.department);
  return `?${q}`;
}
