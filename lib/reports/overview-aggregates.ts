import { audienceInForce, inAudience, namesIndividuals } from "@/lib/content/audience";
import type { AudienceRule } from "@/lib/content/schemas";
import { formatMonth } from "@/lib/format";
import { DAY } from "@/lib/time";

import {
  EXPIRY_WINDOWS,
  percent,
  trendDates,
  type AgreementRow,
  type CourseRow,
  type DepartmentRow,
  type Expiring,
  type Overview,
  type OverviewAgreement,
  type OverviewCourse,
  type OverviewRelease,
} from "./overview.rules";

/**
 * The overview from small aggregates the database returns, instead of every
 * row (see overview-queries.ts). The rules are those of overview.rules.ts; the
 * integration test compares the result with the row-by-row reference
 * (tests/model/overview-reference.ts).
 *
 * The trend's points are numbered 0–11: points 0–10 are the last eleven month
 * ends, point 11 is `now` (trendDates). Whether a person is in post, a course
 * live or a certification valid at each point travels as a 12-bit mask, so one
 * pass over the rows answers today and the whole trend.
 */

export const NOW_BIT = 1 << 11;
const hasBit = (mask: number, k: number) => (mask & (1 << k)) !== 0;
const bitsOf = (test: (k: number) => boolean) =>
  Array.from({ length: 12 }, (_, k) => (test(k) ? 1 << k : 0)).reduce((a, b) => a | b, 0);

/**
 * A certification of major `lo` ≤ major < `hi` of the course (the `course`-th)
 * is not superseded at the points in `mask`; `replaced` when it is of an older
 * major than the course's whose grace period is over, so the assignment a sync
 * makes for it is overdue already.
 */
export type MajorStep = { course: number; lo: number; hi: number; mask: number; replaced: boolean };

/** What the queries need to know of a course: its audience, the points it was live at and when old majors stop counting. */
export type CoursePlan = {
  id: string;
  /** Its place in the content's list: the queries group by it, which is cheaper than by id. */
  index: number;
  everyone: boolean;
  departments: string[];
  appRoles: string[];
  /** Points at which Clearance already knew the course and its audience's dates included. */
  live: number;
};

/**
 * An audience that names people or access roles, which the person's own row
 * answers: the queries list, for each person, the keys of those that cover them.
 */
export type NamedAudience = { key: string; people: string[]; accessRoles: string[] };

export const courseKey = (id: string) => `course:${id}`;
export const agreementKey = (id: string) => `agreement:${id}`;

/** The audiences of courses and agreements that name people or access roles. */
export function namedAudiences(
  courses: { id: string; assignTo: AudienceRule }[],
  agreements: { id: string; signers: AudienceRule }[],
): NamedAudience[] {
  const named = (key: string, rule: AudienceRule): NamedAudience[] =>
    namesIndividuals(rule) ? [{ key, people: rule.people ?? [], accessRoles: rule.accessRoles ?? [] }] : [];
  return [
    ...courses.flatMap((c) => named(courseKey(c.id), c.assignTo)),
    ...agreements.flatMap((a) => named(agreementKey(a.id), a.signers)),
  ];
}

/**
 * Whether a rule covers a group of people: by department or app role as the
 * group shares them, or because the rule names them (`named`). Dates are
 * checked at `at` when given; a course's are in its plan's points instead.
 */
function covers(
  rule: AudienceRule,
  key: string,
  g: { departmentId: string | null; roles: string[]; named: string[] },
  at?: Date,
) {
  if (at && !audienceInForce(rule, at)) return false;
  const shared = { ...rule, from: undefined, until: undefined, people: undefined, accessRoles: undefined };
  return g.named.includes(key) || inAudience(shared, g);
}

/**
 * Course plans and supersession steps from the course releases, with
 * validAt's rule: at each point the highest major released by then is in
 * force, and once its grace period is over older majors stop counting.
 */
export function coursePlans(
  courses: OverviewCourse[],
  releases: OverviewRelease[],
  current: Map<string, Date>,
  now: Date,
): { courses: CoursePlan[]; steps: MajorStep[] } {
  const points = trendDates(now);
  const steps: MajorStep[] = [];
  const plans = courses.map((course, index): CoursePlan => {
    const own = releases.filter((r) => r.courseId === course.id).sort((a, b) => a.major - b.major);
    const thresholds = points.map((at) => {
      const inForce = own.filter((r) => r.releasedAt.getTime() <= at.getTime()).at(-1);
      return inForce && at.getTime() >= inForce.releasedAt.getTime() + course.graceDays * DAY ? inForce.major : null;
    });
    const major = Number(course.version.split(".")[0]);
    const released = current.get(course.id);
    const replacedNow = released !== undefined && released.getTime() + course.graceDays * DAY <= now.getTime();
    const bounds = [...new Set([major, ...thresholds.filter((t): t is number => t !== null)])].sort((a, b) => a - b);
    const los = [-2_147_483_648, ...bounds];
    los.forEach((lo, i) =>
      steps.push({
        course: index,
        lo,
        hi: los[i + 1] ?? 2_147_483_647,
        mask: bitsOf((k) => thresholds[k] === null || lo >= thresholds[k]!),
        replaced: lo < major && replacedNow,
      }),
    );
    return {
      id: course.id,
      index,
      everyone: course.assignTo.everyone === true,
      departments: course.assignTo.departments ?? [],
      appRoles: course.assignTo.appRoles ?? [],
      // Live once released, and only while its audience's dates include the point.
      live: bitsOf(
        (k) =>
          own.length > 0 &&
          own[0].releasedAt.getTime() <= points[k].getTime() &&
          audienceInForce(course.assignTo, points[k]),
      ),
    };
  });
  return { courses: plans, steps };
}

/** People grouped by what the overview tells apart. */
export type PeopleGroup = {
  departmentId: string | null;
  departmentName: string | null;
  roles: string[];
  /** Keys of the named audiences (NamedAudience) that cover these people. */
  named: string[];
  mask: number;
  n: number;
};
/** Required (person, course) pairs held by a valid certification, by the points they were held at; `within` is the expiry window of those valid now. */
export type CompletionGroup = {
  courseId: string;
  departmentId: string | null;
  mask: number;
  within: number | null;
  n: number;
};
/** Overdue assignments of people in post; `people` counts distinct people (all of them on the row without course and department). */
export type OverdueGroup = {
  courseId: string | null;
  departmentId: string | null;
  total: boolean;
  n: number;
  people: number;
};
/** People in post with a signature in force ("signed") or one due again ("renewal"), for one agreement. */
export type SignatureGroup = {
  agreementId: string;
  departmentId: string | null;
  roles: string[];
  named: string[];
  standing: "signed" | "renewal";
  n: number;
};

export type OverviewAggregates = {
  people: PeopleGroup[];
  completion: CompletionGroup[];
  overdue: OverdueGroup[];
  signatures: SignatureGroup[];
};

const NO_DEPARTMENT = "No department";
const emptyExpiring = (): Expiring => ({ 30: 0, 60: 0, 90: 0 });

/** The overview from the aggregates. */
export function assembleOverview(
  a: OverviewAggregates,
  courses: OverviewCourse[],
  plans: CoursePlan[],
  agreements: OverviewAgreement[],
  now: Date,
): Overview {
  const points = trendDates(now);
  const livePlan = new Map(plans.map((p) => [p.id, p.live]));
  const courseRows = new Map<string, CourseRow>(
    courses.map((c) => [
      c.id,
      { courseId: c.id, title: c.title, required: 0, complete: 0, rate: null, overdue: 0, expiring: emptyExpiring() },
    ]),
  );
  const departmentRows = new Map<string | null, DepartmentRow>();
  const trend = points.map(() => ({ people: 0, required: 0, complete: 0 }));

  for (const g of a.people) {
    const applies = courses.filter((c) => covers(c.assignTo, courseKey(c.id), g));
    points.forEach((_, k) => {
      if (!hasBit(g.mask, k)) return;
      trend[k].people += g.n;
      trend[k].required += g.n * applies.filter((c) => hasBit(livePlan.get(c.id)!, k)).length;
    });
    if (!hasBit(g.mask, 11)) continue;
    let row = departmentRows.get(g.departmentId);
    if (!row)
      departmentRows.set(
        g.departmentId,
        (row = {
          departmentId: g.departmentId,
          name: g.departmentName ?? g.departmentId ?? NO_DEPARTMENT,
          people: 0,
          required: 0,
          complete: 0,
          rate: null,
          overdue: 0,
        }),
      );
    row.people += g.n;
    for (const c of applies) {
      if (!hasBit(livePlan.get(c.id)!, 11)) continue;
      courseRows.get(c.id)!.required += g.n;
      row.required += g.n;
    }
  }

  const expiring = emptyExpiring();
  for (const g of a.completion) {
    points.forEach((_, k) => hasBit(g.mask, k) && (trend[k].complete += g.n));
    if (!hasBit(g.mask, 11)) continue;
    const row = courseRows.get(g.courseId)!;
    row.complete += g.n;
    departmentRows.get(g.departmentId)!.complete += g.n;
    for (const days of EXPIRY_WINDOWS) {
      if (g.within === null || g.within > days) continue;
      row.expiring[days] += g.n;
      expiring[days] += g.n;
    }
  }

  let overdue = 0;
  let overduePeople = 0;
  for (const g of a.overdue) {
    if (g.total) {
      overdue = g.n;
      overduePeople = g.people;
      continue;
    }
    const row = g.courseId === null ? undefined : courseRows.get(g.courseId);
    if (row) row.overdue += g.n;
    departmentRows.get(g.departmentId)!.overdue += g.n;
  }

  const agreementRows = agreements.map((template): AgreementRow => {
    const row: AgreementRow = {
      agreementId: template.id,
      title: template.title,
      required: 0,
      signed: 0,
      rate: null,
      toSign: 0,
      renewalDue: 0,
    };
    const key = agreementKey(template.id);
    for (const g of a.people) if (hasBit(g.mask, 11) && covers(template.signers, key, g, now)) row.required += g.n;
    for (const g of a.signatures) {
      if (g.agreementId !== template.id || !covers(template.signers, key, g, now)) continue;
      if (g.standing === "signed") row.signed += g.n;
      else row.renewalDue += g.n;
    }
    return { ...row, toSign: row.required - row.signed - row.renewalDue, rate: percent(row.signed, row.required) };
  });

  const courseList = [...courseRows.values()].map((r) => ({ ...r, rate: percent(r.complete, r.required) }));
  const departments = [...departmentRows.values()]
    .map((r) => ({ ...r, rate: percent(r.complete, r.required) }))
    .sort((x, y) => (x.departmentId === null ? 1 : y.departmentId === null ? -1 : x.name.localeCompare(y.name, "en")));
  const required = courseList.reduce((n, r) => n + r.required, 0);
  const complete = courseList.reduce((n, r) => n + r.complete, 0);
  return {
    at: now,
    people: trend[11].people,
    required,
    complete,
    rate: percent(complete, required),
    overdue,
    overduePeople,
    expiring,
    courses: courseList,
    departments,
    agreements: agreementRows,
    trend: points.map((at, k) => ({
      at,
      label: formatMonth(at),
      ...trend[k],
      rate: percent(trend[k].complete, trend[k].required),
    })),
  };
}
