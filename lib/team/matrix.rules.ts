import type { ByPerson } from "@/lib/by-person";
import type { CertificationStatus } from "@/lib/certification/status.rules";
import { formatDate, formatTime, isoDate } from "@/lib/format";
import { DAY } from "@/lib/time";

/**
 * The manager's team matrix as pure functions of data and `now`: one cell per
 * person and item, and the nudges a cell allows. Filtering, sorting, paging
 * and the summary sit in view.ts; the database work in matrix.ts.
 */

/** Something a person must complete. Agreements join courses later; nothing here is course-specific. */
export type MatrixItem = { kind: "course" | "agreement"; id: string; title: string };

export const itemKey = (item: Pick<MatrixItem, "kind" | "id">) => `${item.kind}:${item.id}`;

export const cellStatuses = [
  "overdue",
  "due",
  "in_progress",
  "not_started",
  "expiring",
  "current",
  "expired",
  "not_applicable",
] as const;
export type CellStatus = (typeof cellStatuses)[number];
/** What the status filter offers: every status a cell can have except "not applicable". */
export const filterableStatuses = cellStatuses.filter(
  (s): s is Exclude<CellStatus, "not_applicable"> => s !== "not_applicable",
);

export const DUE_SOON_DAYS = 7;

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
  const cell: Cell = {
    status: "not_applicable",
    dueAt: assignment?.dueAt ?? null,
    expiresAt: certification?.expiresAt ?? null,
    assigned: assignment !== null,
    percent: null,
  };
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

/**
 * The cell's dates for a spreadsheet, as YYYY-MM-DD in their own columns: the
 * due date of something still to do, and the end of a certification or
 * signature (current, expiring or already ended). Empty where there is none.
 */
export function cellDates(cell: Cell): { due: string; validUntil: string } {
  const day = (d: Date | null | undefined) => (d ? d.toISOString().slice(0, 10) : "");
  switch (cell.status) {
    case "overdue":
    case "due":
    case "in_progress":
    case "not_started":
      return { due: day(cell.dueAt), validUntil: "" };
    case "expiring":
    case "current":
    case "expired":
      return { due: "", validUntil: day(cell.expiresAt) };
    default:
      return { due: "", validUntil: "" };
  }
}

/** The cell as one line of text, as the table shows it. */
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

export type MatrixFacts = {
  assignments: ByPerson<{ dueAt: Date }>;
  certifications: ByPerson<{ status: CertificationStatus; expiresAt: Date }>;
  percents: ByPerson<number>;
  lastNudges: Map<string, Date>;
};

export function buildRows(persons: ReportPerson[], items: MatrixItem[], facts: MatrixFacts, now: Date): MatrixRow[] {
  const keys = items.map(itemKey);
  return persons.map((person) => {
    const cells: Record<string, Cell> = {};
    const assignments = facts.assignments.get(person.id);
    const certifications = facts.certifications.get(person.id);
    const percents = facts.percents.get(person.id);
    for (const key of keys) {
      cells[key] = cellFor(
        {
          assignment: assignments?.get(key) ?? null,
          certification: certifications?.get(key) ?? null,
          percent: percents?.get(key) ?? 0,
        },
        now,
      );
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

// ---- Nudges ------------------------------------------------------------------------------

/** Cells a manager can remind someone about: anything with an open assignment. */
export function nudgeableItems(
  row: MatrixRow,
  items: MatrixItem[],
  options: { onlyOverdue?: boolean } = {},
): { item: MatrixItem; cell: Cell }[] {
  return items
    .map((item) => ({ item, cell: row.cells[itemKey(item)] }))
    .filter(({ cell }) => cell?.assigned && (!options.onlyOverdue || cell.status === "overdue"));
}

/** The UTC day a nudge counts against. */
export const nudgeDay = (now: Date) => isoDate(now);

/** "Nudged today at 09:12 UTC", or "Last nudged 27 Nov 2026". */
export function nudgedLabel(at: Date | null, now: Date): string | null {
  if (!at) return null;
  if (nudgeDay(at) === nudgeDay(now)) return `Nudged today at ${formatTime(at)}`;
  return `Last nudged ${formatDate(at)}`;
}
