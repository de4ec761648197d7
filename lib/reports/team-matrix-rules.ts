import { z } from "zod";
import type { CertificationStatus } from "@/lib/certification/status";
import { formatDate } from "@/lib/format";

/**
 * The manager's team matrix as pure functions of data and `now`: one cell per
 * person and item, then filtering, sorting, paging and the summary. The
 * database work sits in team-matrix.ts.
 */

/** Something a person must complete. Agreements join courses later; nothing here is course-specific. */
export type MatrixItem = { kind: "course" | "agreement"; id: string; title: string };

export const itemKey = (item: Pick<MatrixItem, "kind" | "id">) => `${item.kind}:${item.id}`;

export const cellStatuses = ["overdue", "due", "in_progress", "not_started", "expiring", "current", "expired", "not_applicable"] as const;
export type CellStatus = (typeof cellStatuses)[number];
/** What the status filter offers: every status a cell can have except "not applicable". */
export const filterableStatuses = cellStatuses.filter((s): s is Exclude<CellStatus, "not_applicable"> => s !== "not_applicable");

export const DUE_SOON_DAYS = 7;
const DAY = 86_400_000;

export type CellFacts = {
  /** The open assignment, if any. */
  assignment: { dueAt: Date } | null;
  /** The newest certification and its status at `now`, if any. */
  certification: { status: CertificationStatus; expiresAt: Date } | null;
  /** Share of lessons (or steps) completed, 0–100. */
  percent: number;
};

export type Cell = {
  status: CellStatus;
  /** Lessons read, for "in progress". */
  percent: number | null;
  dueAt: Date | null;
  expiresAt: Date | null;
  /** An open assignment the person can be reminded about. */
  assigned: boolean;
};

/**
 * One item's state for one person. An open assignment past its due date is
 * overdue whatever else is true; a certification inside its warning window
 * reads "expiring" even while its renewal is under way, because it is still
 * valid and that is what a manager needs to see; otherwise an open assignment
 * is in progress, due soon (within 7 days) or not started; without one, the
 * certification speaks; with neither, the item does not apply ("—").
 */
export function cellFor(facts: CellFacts, now: Date): Cell {
  const { assignment, certification } = facts;
  // One object per cell, built once: a team of a thousand has ten thousand cells per view.
  const cell: Cell = { status: "not_applicable", dueAt: assignment?.dueAt ?? null, expiresAt: certification?.expiresAt ?? null, assigned: assignment !== null, percent: null };
  if (assignment && assignment.dueAt.getTime() <= now.getTime()) cell.status = "overdue";
  else if (certification?.status === "expiring") cell.status = "expiring";
  else if (assignment) {
    if (facts.percent > 0) {
      cell.status = "in_progress";
      cell.percent = Math.min(100, Math.round(facts.percent));
    } else cell.status = assignment.dueAt.getTime() - now.getTime() <= DUE_SOON_DAYS * DAY ? "due" : "not_started";
  } else if (certification?.status === "current") cell.status = "current";
  else if (certification) cell.status = "expired";
  return cell;
}

export const STATUS_LABELS: Record<CellStatus, string> = {
  overdue: "Overdue",
  due: "Due soon",
  in_progress: "In progress",
  not_started: "Not started",
  expiring: "Expiring",
  current: "Current",
  expired: "Expired",
  not_applicable: "—",
};

export function cellLabel(cell: Cell): string {
  return cell.status === "in_progress" ? `In progress ${cell.percent ?? 0}%` : STATUS_LABELS[cell.status];
}

/** The date that goes with the status, in words. */
export function cellDetail(cell: Cell): string | null {
  switch (cell.status) {
    case "overdue":
      return `due ${formatDate(cell.dueAt!)}`;
    case "due":
    case "in_progress":
    case "not_started":
      return cell.dueAt ? `due ${formatDate(cell.dueAt)}` : null;
    case "expiring":
      return cell.expiresAt ? `expires ${formatDate(cell.expiresAt)}` : null;
    case "current":
      return cell.expiresAt ? `until ${formatDate(cell.expiresAt)}` : null;
    case "expired":
      return cell.expiresAt ? `ended ${formatDate(cell.expiresAt)}` : null;
    default:
      return null;
  }
}

/** The cell as one line of text: what the table shows, and what the CSV holds. */
export function cellText(cell: Cell): string {
  const detail = cellDetail(cell);
  return detail ? `${cellLabel(cell)} (${detail})` : cellLabel(cell);
}

export type ReportPerson = {
  id: string;
  name: string;
  email: string;
  departmentId: string | null;
  departmentName: string | null;
  title: string | null;
};

export type MatrixRow = {
  person: ReportPerson;
  /** By itemKey. */
  cells: Record<string, Cell>;
  lastNudgedAt: Date | null;
};

/** Facts by person id, then by itemKey: a cell finds its own without building a key per cell. */
export type FactsByPerson<T> = Map<string, Map<string, T>>;

export type MatrixFacts = {
  assignments: FactsByPerson<{ dueAt: Date }>;
  certifications: FactsByPerson<{ status: CertificationStatus; expiresAt: Date }>;
  percents: FactsByPerson<number>;
  lastNudges: Map<string, Date>;
};

export function setFact<T>(facts: FactsByPerson<T>, personId: string, key: string, value: T): void {
  const own = facts.get(personId);
  if (own) own.set(key, value);
  else facts.set(personId, new Map([[key, value]]));
}

export function buildRows(persons: ReportPerson[], items: MatrixItem[], facts: MatrixFacts, now: Date): MatrixRow[] {
  const keys = items.map(itemKey);
  return persons.map((person) => {
    const cells: Record<string, Cell> = {};
    const assignments = facts.assignments.get(person.id);
    const certifications = facts.certifications.get(person.id);
    const percents = facts.percents.get(person.id);
    for (const key of keys) {
      cells[key] = cellFor({ assignment: assignments?.get(key) ?? null, certification: certifications?.get(key) ?? null, percent: percents?.get(key) ?? 0 }, now);
    }
    return { person, cells, lastNudgedAt: facts.lastNudges.get(person.id) ?? null };
  });
}

/** The columns: items that apply to at least one of the people (assigned or certified). */
export function itemsInScope(items: MatrixItem[], rows: MatrixRow[]): MatrixItem[] {
  return items.filter((item) => {
    const key = itemKey(item);
    return rows.some((row) => row.cells[key]?.status !== "not_applicable");
  });
}

// ---- Filters, from URL search parameters -------------------------------------------------

export const teamSorts = ["name", "department", "overdue"] as const;
export type TeamSort = (typeof teamSorts)[number];
export const SORT_LABELS: Record<TeamSort, string> = { name: "Name", department: "Department", overdue: "Most overdue" };
export const TEAM_PAGE_SIZE = 50;

const blankToUndefined = (v: unknown) => {
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === "string" && first.trim() !== "" ? first.trim() : undefined;
};
const optionalText = (max: number) => z.preprocess(blankToUndefined, z.string().max(max).optional()).catch(undefined);

/** Unknown or malformed values fall back to "no filter", so a shared link never breaks the page. */
export const teamFiltersSchema = z.object({
  q: optionalText(100),
  department: optionalText(100),
  status: z.preprocess(blankToUndefined, z.enum(filterableStatuses).optional()).catch(undefined),
  item: optionalText(200),
  sort: z.preprocess(blankToUndefined, z.enum(teamSorts).default("name")).catch("name"),
  page: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(100_000).default(1)).catch(1),
});
export type TeamFilters = z.infer<typeof teamFiltersSchema>;

export function parseTeamFilters(params: URLSearchParams | Record<string, string | string[] | undefined>): TeamFilters {
  const record = params instanceof URLSearchParams ? Object.fromEntries(params.entries()) : params;
  return teamFiltersSchema.parse(record);
}

/** The filters as search parameters, leaving out defaults; `page` only when asked. */
export function filterQuery(filters: TeamFilters, overrides: Partial<TeamFilters> = {}): Record<string, string> {
  const f = { ...filters, ...overrides };
  const out: Record<string, string> = {};
  if (f.q) out.q = f.q;
  if (f.department) out.department = f.department;
  if (f.status) out.status = f.status;
  if (f.item) out.item = f.item;
  if (f.sort && f.sort !== "name") out.sort = f.sort;
  if (f.page && f.page > 1) out.page = String(f.page);
  return out;
}

export function hasActiveFilters(filters: TeamFilters): boolean {
  return Boolean(filters.q || filters.department || filters.status || filters.item);
}

/** Case- and accent-insensitive: "jose nunez" finds "José Ñúñez". */
export function normaliseSearch(text: string): string {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
}

export type TeamSummary = {
  people: number;
  overdueItems: number;
  overduePeople: number;
  expiringItems: number;
  /** Applicable cells held by a valid certification (current or expiring), in %; null with nothing applicable. */
  completionRate: number | null;
  applicableItems: number;
};

export function summarise(rows: MatrixRow[], items: MatrixItem[]): TeamSummary {
  const keys = items.map(itemKey);
  let overdueItems = 0;
  let overduePeople = 0;
  let expiringItems = 0;
  let complete = 0;
  let applicable = 0;
  for (const row of rows) {
    let overdueHere = 0;
    for (const key of keys) {
      const cell = row.cells[key];
      if (!cell || cell.status === "not_applicable") continue;
      applicable += 1;
      if (cell.status === "overdue") overdueHere += 1;
      if (cell.status === "expiring") expiringItems += 1;
      if (cell.status === "current" || cell.status === "expiring") complete += 1;
    }
    overdueItems += overdueHere;
    if (overdueHere > 0) overduePeople += 1;
  }
  return {
    people: rows.length,
    overdueItems,
    overduePeople,
    expiringItems,
    completionRate: applicable === 0 ? null : Math.round((complete / applicable) * 100),
    applicableItems: applicable,
  };
}

/** How long the most overdue visible item is past due, in ms; 0 when nothing is overdue. */
function overdueFor(row: MatrixRow, keys: string[], now: Date): number {
  let worst = 0;
  for (const key of keys) {
    const cell = row.cells[key];
    if (cell?.status === "overdue") worst = Math.max(worst, now.getTime() - cell.dueAt!.getTime() + 1);
  }
  return worst;
}

const collator = new Intl.Collator("en", { sensitivity: "base" });

export type TeamView = {
  filters: TeamFilters;
  /** Every item in scope for someone in the team: the item filter's options. */
  items: MatrixItem[];
  /** The columns shown. */
  visibleItems: MatrixItem[];
  /** Rows matching the filters, sorted, across all pages. */
  matching: MatrixRow[];
  /** The rows on this page. */
  rows: MatrixRow[];
  page: number;
  pageCount: number;
  summary: TeamSummary;
  departments: { id: string; name: string }[];
  /** Active reports before filtering. */
  teamSize: number;
};

/** Filters, sorts and pages the team. The item filter narrows the columns and keeps the people it applies to. */
export function viewTeam(allRows: MatrixRow[], allItems: MatrixItem[], filters: TeamFilters, now: Date, pageSize = TEAM_PAGE_SIZE): TeamView {
  const items = itemsInScope(allItems, allRows);
  const itemFilter = items.find((i) => itemKey(i) === filters.item);
  const visibleItems = itemFilter ? [itemFilter] : items;
  const visibleKeys = visibleItems.map(itemKey);
  const query = filters.q ? normaliseSearch(filters.q) : null;

  const matching = allRows.filter((row) => {
    if (filters.department && row.person.departmentId !== filters.department) return false;
    if (query && !normaliseSearch(row.person.name).includes(query) && !normaliseSearch(row.person.email).includes(query)) return false;
    const cells = visibleKeys.map((key) => row.cells[key]);
    if (itemFilter && cells[0]?.status === "not_applicable") return false;
    if (filters.status && !cells.some((c) => c?.status === filters.status)) return false;
    return true;
  });

  const byName = (a: MatrixRow, b: MatrixRow) => collator.compare(a.person.name, b.person.name) || a.person.email.localeCompare(b.person.email);
  const overdue = filters.sort === "overdue" ? new Map(matching.map((r) => [r.person.id, overdueFor(r, visibleKeys, now)])) : new Map<string, number>();
  matching.sort((a, b) => {
    if (filters.sort === "department") return collator.compare(a.person.departmentName ?? "\uffff", b.person.departmentName ?? "\uffff") || byName(a, b);
    if (filters.sort === "overdue") return overdue.get(b.person.id)! - overdue.get(a.person.id)! || byName(a, b);
    return byName(a, b);
  });

  const pageCount = Math.max(1, Math.ceil(matching.length / pageSize));
  const page = Math.min(filters.page, pageCount);
  const departments = new Map<string, string>();
  for (const row of allRows) if (row.person.departmentId) departments.set(row.person.departmentId, row.person.departmentName ?? row.person.departmentId);

  return {
    filters: { ...filters, item: itemFilter ? filters.item : undefined, page },
    items,
    visibleItems,
    matching,
    rows: matching.slice((page - 1) * pageSize, page * pageSize),
    page,
    pageCount,
    summary: summarise(matching, visibleItems),
    departments: [...departments].map(([id, name]) => ({ id, name })).sort((a, b) => collator.compare(a.name, b.name)),
    teamSize: allRows.length,
  };
}

/** Exactly the columns and rows the table shows, for every page: the CSV export. */
export function teamTable(view: Pick<TeamView, "visibleItems" | "matching">): string[][] {
  const header = ["Name", "Email", "Department", ...view.visibleItems.map((i) => i.title)];
  const body = view.matching.map((row) => [
    row.person.name,
    row.person.email,
    row.person.departmentName ?? "",
    ...view.visibleItems.map((i) => cellText(row.cells[itemKey(i)])),
  ]);
  return [header, ...body];
}

// ---- Nudges ------------------------------------------------------------------------------

/** Cells a manager can remind someone about: anything with an open assignment. */
export function nudgeableItems(row: MatrixRow, items: MatrixItem[], options: { onlyOverdue?: boolean } = {}): { item: MatrixItem; cell: Cell }[] {
  return items
    .map((item) => ({ item, cell: row.cells[itemKey(item)] }))
    .filter(({ cell }) => cell?.assigned && (!options.onlyOverdue || cell.status === "overdue"));
}

/** The UTC day a nudge counts against. */
export const nudgeDay = (now: Date) => now.toISOString().slice(0, 10);

const hourMinute = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: "UTC" });

/** "Nudged today at 09:12 UTC", or "Last nudged 27 Nov 2026". */
export function nudgedLabel(at: Date | null, now: Date): string | null {
  if (!at) return null;
  if (nudgeDay(at) === nudgeDay(now)) return `Nudged today at ${hourMinute.format(at)} UTC`;
  return `Last nudged ${formatDate(at)}`;
}
