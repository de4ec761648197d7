import { z } from "zod";

import { addDays, isCalendarDay } from "@/lib/time";

import { auditCategorySchema, type AuditAction, type AuditCategory } from "./actions";

/**
 * The audit explorer's filters, read the same way by the page, the paging
 * links and the CSV/JSON export, from a query string a person (or a saved
 * link) chose: anything unreadable is dropped, never an error page.
 */

/** Actions that record something refused or failed; every other action records something done. */
const REFUSALS = new Set<AuditAction>([
  "auth.sso_refused",
  "auth.sign_in_failed",
  "auth.locked",
  "auth.password_change_failed",
  "agreement.reauth_failed",
  "access.denied",
]);

export type AuditOutcome = "done" | "refused";

export function auditOutcome(action: string): AuditOutcome {
  return REFUSALS.has(action as AuditAction) ? "refused" : "done";
}

export const refusalActions = (): AuditAction[] => [...REFUSALS];

export type AuditFilters = {
  /** First day included (UTC), YYYY-MM-DD. */
  from?: string;
  /** Last day included (UTC), YYYY-MM-DD. */
  to?: string;
  /** Who acted: part of a name, an e-mail address or a client's label. */
  actor?: string;
  /** Whom the event concerns: part of a name or an e-mail address. */
  person?: string;
  category?: AuditCategory;
  /** One action of the catalogue, or the start of action names ("auth."). */
  action?: string;
  outcome?: AuditOutcome;
  /** Keyset paging: events older than this id. */
  before?: number;
};

const day = z.string().refine((v) => isCalendarDay(v, { from: 2000, to: 9999 }));
const text = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((v) => !/[\u0000-\u001f]/.test(v));

const schema = z.object({
  from: day.optional().catch(undefined),
  to: day.optional().catch(undefined),
  actor: text.optional().catch(undefined),
  person: text.optional().catch(undefined),
  category: auditCategorySchema.optional().catch(undefined),
  action: z
    .string()
    .regex(/^[a-z_.]{1,80}$/)
    .optional()
    .catch(undefined),
  outcome: z.enum(["done", "refused"]).optional().catch(undefined),
  before: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional().catch(undefined),
});

type Params = URLSearchParams | Record<string, string | string[] | undefined>;

export function parseAuditFilters(params: Params): AuditFilters {
  const get = (key: string) => {
    const v = params instanceof URLSearchParams ? params.get(key) : params[key];
    const one = Array.isArray(v) ? v[0] : v;
    return one === "" || one === null ? undefined : one;
  };
  const parsed = schema.parse(Object.fromEntries(Object.keys(schema.shape).map((k) => [k, get(k)])));
  const filters: AuditFilters = Object.fromEntries(Object.entries(parsed).filter(([, v]) => v !== undefined));
  // A range given the wrong way round is read the right way round.
  if (filters.from && filters.to && filters.from > filters.to) [filters.from, filters.to] = [filters.to, filters.from];
  return filters;
}

/** The query string for a set of filters (links, export), without empty values; `before` only when asked. */
export function auditFilterQuery(filters: AuditFilters, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value !== undefined) q.set(key, String(value));
  for (const [key, value] of Object.entries(extra)) q.set(key, value);
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** The half-open time range [start, end) the day filters select. */
export function auditTimeRange(filters: AuditFilters): { start?: Date; end?: Date } {
  const start = filters.from ? new Date(`${filters.from}T00:00:00Z`) : undefined;
  const end = filters.to ? addDays(new Date(`${filters.to}T00:00:00Z`), 1) : undefined;
  return { start, end };
}

/** The filters without the page position: what a view, an export or a "Clear" is about. */
export function withoutPaging(filters: AuditFilters): Omit<AuditFilters, "before"> {
  return Object.fromEntries(Object.entries(filters).filter(([key]) => key !== "before"));
}
