import { z } from "zod";

import { blankToUndefined, optionalText, pageNumber } from "@/lib/http/search-params";
import { percent } from "@/lib/reports/figures";

import {
  cellDates,
  cellDetail,
  cellLabel,
  filterableStatuses,
  itemKey,
  itemsInScope,
  nudgeableItems,
  nudgedLabel,
  type Cell,
  type CellStatus,
  type MatrixItem,
  type MatrixRow,
} from "./matrix.rules";

/**
 * What the manager sees of the team matrix: the filters read from the URL,
 * the matching rows sorted and paged, the summary counts and the CSV table of
 * exactly what the filters show. Pure functions of the rows and `now`.
 */

export const teamSorts = ["name", "department", "overdue"] as const;
export type TeamSort = (typeof teamSorts)[number];
export const SORT_LABELS: Record<TeamSort, string> = {
  name: "Name",
  department: "Department",
  overdue: "Most overdue",
};
export const TEAM_PAGE_SIZE = 50;

/** Unknown or malformed values fall back to "no filter", so a shared link never breaks the page. */
export const teamFiltersSchema = z.object({
  q: optionalText(100),
  department: optionalText(100),
  status: z.preprocess(blankToUndefined, z.enum(filterableStatuses).optional()).catch(undefined),
  item: optionalText(200),
  sort: z.preprocess(blankToUndefined, z.enum(teamSorts).default("name")).catch("name"),
  page: pageNumber(),
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
  /** Required courses held by a valid certification (current or expiring): figures.trainingCompliance. */
  training: Share;
  /** Required agreements with a signature in force: figures.agreementsSigned. */
  agreements: Share;
};

/** How many apply, how many are complete, and the share in percent (null when none apply). */
export type Share = { required: number; complete: number; rate: number | null };

export function summarise(rows: MatrixRow[], items: MatrixItem[]): TeamSummary {
  const keys = items.map(itemKey);
  let overdueItems = 0;
  let overduePeople = 0;
  let expiringItems = 0;
  const counts = { course: { required: 0, complete: 0 }, agreement: { required: 0, complete: 0 } };
  for (const row of rows) {
    let overdueHere = 0;
    for (const [i, key] of keys.entries()) {
      const cell = row.cells[key];
      if (!cell || cell.status === "not_applicable") continue;
      const count = counts[items[i].kind];
      count.required += 1;
      if (cell.status === "overdue") overdueHere += 1;
      if (cell.status === "expiring") expiringItems += 1;
      if (cell.status === "current" || cell.status === "expiring") count.complete += 1;
    }
    overdueItems += overdueHere;
    if (overdueHere > 0) overduePeople += 1;
  }
  return {
    people: rows.length,
    overdueItems,
    overduePeople,
    expiringItems,
    training: { ...counts.course, rate: percent(counts.course.complete, counts.course.required) },
    agreements: { ...counts.agreement, rate: percent(counts.agreement.complete, counts.agreement.required) },
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
export function viewTeam(
  allRows: MatrixRow[],
  allItems: MatrixItem[],
  filters: TeamFilters,
  now: Date,
  pageSize = TEAM_PAGE_SIZE,
): TeamView {
  const items = itemsInScope(allItems, allRows);
  const itemFilter = items.find((i) => itemKey(i) === filters.item);
  const visibleItems = itemFilter ? [itemFilter] : items;
  const visibleKeys = visibleItems.map(itemKey);
  const query = filters.q ? normaliseSearch(filters.q) : null;

  const matching = allRows.filter((row) => {
    if (filters.department && row.person.departmentId !== filters.department) return false;
    if (
      query &&
      !normaliseSearch(row.person.name).includes(query) &&
      !normaliseSearch(row.person.email).includes(query)
    )
      return false;
    const cells = visibleKeys.map((key) => row.cells[key]);
    if (itemFilter && cells[0]?.status === "not_applicable") return false;
    if (filters.status && !cells.some((c) => c?.status === filters.status)) return false;
    return true;
  });

  const byName = (a: MatrixRow, b: MatrixRow) =>
    collator.compare(a.person.name, b.person.name) || a.person.email.localeCompare(b.person.email);
  const overdue =
    filters.sort === "overdue"
      ? new Map(matching.map((r) => [r.person.id, overdueFor(r, visibleKeys, now)]))
      : new Map<string, number>();
  matching.sort((a, b) => {
    if (filters.sort === "department")
      return collator.compare(a.person.departmentName ?? "\uffff", b.person.departmentName ?? "\uffff") || byName(a, b);
    if (filters.sort === "overdue") return overdue.get(b.person.id)! - overdue.get(a.person.id)! || byName(a, b);
    return byName(a, b);
  });

  const pageCount = Math.max(1, Math.ceil(matching.length / pageSize));
  const page = Math.min(filters.page, pageCount);
  const departments = new Map<string, string>();
  for (const row of allRows)
    if (row.person.departmentId)
      departments.set(row.person.departmentId, row.person.departmentName ?? row.person.departmentId);

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
  const header = [
    "Name",
    "Email",
    "Department",
    ...view.visibleItems.flatMap((i) => [`${i.title}: status`, `${i.title}: due`, `${i.title}: valid until`]),
  ];
  const body = view.matching.map((row) => [
    row.person.name,
    row.person.email,
    row.person.departmentName ?? "",
    ...view.visibleItems.flatMap((i) => {
      const cell = row.cells[itemKey(i)];
      const { due, validUntil } = cellDates(cell);
      return [cellLabel(cell), due, validUntil];
    }),
  ]);
  return [header, ...body];
}

/** A column of the table: an item and the anchor of its section on the person's record. */
export type TableColumn = { key: string; title: string; anchor: string };
/** A cell in words, as the table shows it. */
export type TableCell = { status: CellStatus; label: string; detail: string | null };
/** A row as the browser gets it: only what the table shows, already in words, with no dates to revive. */
export type TableRow = {
  id: string;
  name: string;
  email: string;
  department: string | null;
  cells: TableCell[];
  canNudge: boolean;
  nudged: string | null;
};

export function cellInWords(cell: Cell): TableCell {
  return { status: cell.status, label: cellLabel(cell), detail: cellDetail(cell) };
}

/** The page's rows and columns as the table renders them; cells follow the columns' order. */
export function tableOf(
  view: Pick<TeamView, "rows" | "visibleItems" | "items">,
  now: Date,
): { columns: TableColumn[]; rows: TableRow[] } {
  const columns = view.visibleItems.map((item) => ({
    key: itemKey(item),
    title: item.title,
    anchor: `${item.kind}-${item.id}`,
  }));
  const rows = view.rows.map((row): TableRow => ({
    id: row.person.id,
    name: row.person.name,
    email: row.person.email,
    department: row.person.departmentName,
    cells: columns.map(({ key }) => cellInWords(row.cells[key])),
    canNudge: nudgeableItems(row, view.items).length > 0,
    nudged: nudgedLabel(row.lastNudgedAt, now),
  }));
  return { columns, rows };
}
