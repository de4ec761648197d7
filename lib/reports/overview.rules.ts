import type { AudienceRule } from "@/lib/content/schemas";

/**
 * The organisation-wide compliance overview: its shape, and the pure pieces
 * the page and its CSV share. A (person, course) pair is required when the
 * course's assignment rule covers the person — the same rule that creates
 * assignments — and it counts as complete when the person holds a
 * certification valid at that moment: issued, not yet expired, and not
 * superseded by a newer major version after its grace period. Only people in
 * post count: active (not suspended or departed) and past their hire date.
 * The database counts it (overview-queries.ts, overview-aggregates.ts);
 * tests/model/overview-reference.ts computes it row by row as the reference.
 */

export const EXPIRY_WINDOWS = [30, 60, 90] as const;
export const TREND_MONTHS = 12;

export type OverviewCourse = { id: string; title: string; version: string; graceDays: number; assignTo: AudienceRule };
export type OverviewRelease = { courseId: string; major: number; releasedAt: Date };
export type OverviewAgreement = { id: string; title: string; version: string; signers: AudienceRule };
export type Expiring = Record<(typeof EXPIRY_WINDOWS)[number], number>;

export type CourseRow = {
  courseId: string;
  title: string;
  required: number;
  complete: number;
  rate: number | null;
  overdue: number;
  expiring: Expiring;
};
export type DepartmentRow = {
  departmentId: string | null;
  name: string;
  people: number;
  required: number;
  complete: number;
  rate: number | null;
  overdue: number;
};
export type AgreementRow = {
  agreementId: string;
  title: string;
  required: number;
  signed: number;
  rate: number | null;
  toSign: number;
  renewalDue: number;
};
export type TrendPoint = {
  at: Date;
  label: string;
  people: number;
  required: number;
  complete: number;
  rate: number | null;
};

export type Overview = {
  at: Date;
  people: number;
  required: number;
  complete: number;
  rate: number | null;
  overdue: number;
  overduePeople: number;
  expiring: Expiring;
  courses: CourseRow[];
  departments: DepartmentRow[];
  agreements: AgreementRow[];
  trend: TrendPoint[];
};

export { percent } from "./figures";

/** The moment each of the last `months` months ends (UTC); the current month's point is `now`. */
export function trendDates(now: Date, months = TREND_MONTHS): Date[] {
  const dates: Date[] = [];
  for (let back = months - 1; back >= 1; back--) {
    dates.push(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back + 1, 1) - 1));
  }
  dates.push(now);
  return dates;
}

const rateCell = (rate: number | null) => (rate === null ? "" : rate.toFixed(1));

/**
 * The overview's tables as one CSV table, a section per table, so it sorts
 * and filters in a spreadsheet: the same numbers as the page. "Required" and
 * "Complete" count (person, course) pairs, or people for an agreement.
 */
export function overviewTable(overview: Overview): (string | number)[][] {
  const header = [
    "Section",
    "Item",
    "People",
    "Required",
    "Complete",
    "Rate %",
    "Overdue",
    "Expiring within 30 days",
    "Expiring within 60 days",
    "Expiring within 90 days",
    "Not signed",
    "Renewal or new version due",
  ];
  const rows: (string | number)[][] = [header];
  const o = overview;
  rows.push([
    "Organisation",
    "All required courses",
    o.people,
    o.required,
    o.complete,
    rateCell(o.rate),
    o.overdue,
    o.expiring[30],
    o.expiring[60],
    o.expiring[90],
    "",
    "",
  ]);
  for (const c of o.courses)
    rows.push([
      "Course",
      c.title,
      c.required,
      c.required,
      c.complete,
      rateCell(c.rate),
      c.overdue,
      c.expiring[30],
      c.expiring[60],
      c.expiring[90],
      "",
      "",
    ]);
  for (const d of o.departments)
    rows.push([
      "Department",
      d.name,
      d.people,
      d.required,
      d.complete,
      rateCell(d.rate),
      d.overdue,
      "",
      "",
      "",
      "",
      "",
    ]);
  for (const a of o.agreements)
    rows.push([
      "Agreement",
      a.title,
      a.required,
      a.required,
      a.signed,
      rateCell(a.rate),
      "",
      "",
      "",
      "",
      a.toSign,
      a.renewalDue,
    ]);
  for (const t of o.trend)
    rows.push([
      "Trend",
      t.at.toISOString().slice(0, 10),
      t.people,
      t.required,
      t.complete,
      rateCell(t.rate),
      "",
      "",
      "",
      "",
      "",
      "",
    ]);
  return rows;
}
