import { agreementStanding, type SignatureFacts } from "@/lib/agreements/signing.rules";
import { majorOf } from "@/lib/certification/status.rules";
import { inAudience } from "@/lib/content/audience";
import type { AudienceRule } from "@/lib/content/schemas";

/**
 * The organisation-wide compliance overview as pure functions of rows and
 * `now`. A (person, course) pair is required when the course's assignment
 * rule covers the person — the same rule that creates assignments — and it
 * counts as complete when the person holds a certification valid at that
 * moment: issued, not yet expired, and not superseded by a newer major
 * version after its grace period. Only people in post count: active (not
 * suspended or departed) and past their hire date.
 */

const DAY = 86_400_000;
export const EXPIRY_WINDOWS = [30, 60, 90] as const;
export const TREND_MONTHS = 12;

export type OverviewPerson = {
  id: string;
  departmentId: string | null;
  departmentName: string | null;
  roles: string[];
  status: "active" | "suspended" | "departed";
  hireDate: string | null;
  createdAt: Date;
  departedAt: Date | null;
};
export type OverviewCourse = { id: string; title: string; version: string; graceDays: number; assignTo: AudienceRule };
export type OverviewRelease = { courseId: string; major: number; releasedAt: Date };
export type OverviewCertification = {
  personId: string;
  courseId: string;
  courseVersion: string;
  issuedAt: Date;
  expiresAt: Date;
};
export type OverviewAssignment = { personId: string; courseId: string; dueAt: Date };
export type OverviewAgreement = { id: string; title: string; version: string; signers: AudienceRule };
export type OverviewSignature = SignatureFacts & { personId: string; agreementId: string };

export type OverviewFacts = {
  people: OverviewPerson[];
  courses: OverviewCourse[];
  releases: OverviewRelease[];
  certifications: OverviewCertification[];
  /** Open assignments (not completed, not cancelled). */
  assignments: OverviewAssignment[];
  agreements: OverviewAgreement[];
  signatures: OverviewSignature[];
};

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

/** A share in percent with one decimal; null when nothing applies. */
export function percent(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 1000) / 10;
}

/** When a person starts counting: their hire date (or, without one, when their record was made). */
function startOf(person: OverviewPerson): Date {
  return person.hireDate ? new Date(`${person.hireDate}T00:00:00Z`) : person.createdAt;
}

/**
 * Whether the person is in post at `at`. Suspended people are left out throughout,
 * since when their suspension started is not recorded; departed people count until
 * the day they left.
 */
export function inPost(person: OverviewPerson, at: Date): boolean {
  if (person.status === "suspended") return false;
  if (startOf(person).getTime() > at.getTime()) return false;
  if (person.status === "departed") return person.departedAt !== null && person.departedAt.getTime() > at.getTime();
  return true;
}

/** Releases by course, oldest major first. */
function releasesByCourse(releases: OverviewRelease[]): Map<string, OverviewRelease[]> {
  const map = new Map<string, OverviewRelease[]>();
  for (const r of releases) map.set(r.courseId, [...(map.get(r.courseId) ?? []), r]);
  for (const list of map.values()) list.sort((a, b) => a.major - b.major);
  return map;
}

/** A course counts from the moment Clearance first knew it: nobody could hold it before. */
function courseLive(releases: OverviewRelease[] | undefined, at: Date): boolean {
  return Boolean(releases?.length && releases[0].releasedAt.getTime() <= at.getTime());
}

/**
 * A certification is valid at `at` when it was issued by then, has not expired, and
 * the major version in force at `at` did not supersede it (after the grace period).
 */
export function validAt(
  cert: OverviewCertification,
  course: Pick<OverviewCourse, "graceDays">,
  releases: OverviewRelease[] | undefined,
  at: Date,
): boolean {
  const t = at.getTime();
  if (cert.issuedAt.getTime() > t || cert.expiresAt.getTime() <= t) return false;
  const inForce = (releases ?? []).filter((r) => r.releasedAt.getTime() <= t).at(-1);
  if (
    inForce &&
    majorOf(cert.courseVersion) < inForce.major &&
    t >= inForce.releasedAt.getTime() + course.graceDays * DAY
  )
    return false;
  return true;
}

const pairKey = (personId: string, id: string) => `${personId}|${id}`;

function indexCertifications(certifications: OverviewCertification[]): Map<string, OverviewCertification[]> {
  const map = new Map<string, OverviewCertification[]>();
  for (const c of certifications) {
    const key = pairKey(c.personId, c.courseId);
    map.set(key, [...(map.get(key) ?? []), c]);
  }
  return map;
}

/** The moment each of the last `months` months ends (UTC); the current month's point is `now`. */
export function trendDates(now: Date, months = TREND_MONTHS): Date[] {
  const dates: Date[] = [];
  for (let back = months - 1; back >= 1; back--) {
    dates.push(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back + 1, 1) - 1));
  }
  dates.push(now);
  return dates;
}

const monthLabel = new Intl.DateTimeFormat("en-GB", { month: "short", year: "numeric", timeZone: "UTC" });

/**
 * Organisation-wide compliance at each month end: the share of required
 * (person, course) pairs held by a valid certification at that moment, with
 * the people in post then. The last point is `now`, so it equals today's rate.
 */
export function complianceTrend(
  facts: Pick<OverviewFacts, "people" | "courses" | "releases" | "certifications">,
  now: Date,
  months = TREND_MONTHS,
): TrendPoint[] {
  const releases = releasesByCourse(facts.releases);
  const certs = indexCertifications(facts.certifications);
  return trendDates(now, months).map((at) => {
    let people = 0;
    let required = 0;
    let complete = 0;
    for (const person of facts.people) {
      if (!inPost(person, at)) continue;
      people += 1;
      for (const course of facts.courses) {
        if (!courseLive(releases.get(course.id), at) || !inAudience(course.assignTo, person)) continue;
        required += 1;
        if (
          (certs.get(pairKey(person.id, course.id)) ?? []).some((c) => validAt(c, course, releases.get(course.id), at))
        )
          complete += 1;
      }
    }
    return { at, label: monthLabel.format(at), people, required, complete, rate: percent(complete, required) };
  });
}

const NO_DEPARTMENT = "No department";
const emptyExpiring = (): Expiring => ({ 30: 0, 60: 0, 90: 0 });

/** Everything the overview page and its CSV show, from the rows. */
export function buildOverview(facts: OverviewFacts, now: Date): Overview {
  const releases = releasesByCourse(facts.releases);
  const certs = indexCertifications(facts.certifications);
  const inPostNow = facts.people.filter((p) => inPost(p, now));
  const counted = new Set(inPostNow.map((p) => p.id));

  const courseRows = new Map<string, CourseRow>(
    facts.courses.map((c) => [
      c.id,
      { courseId: c.id, title: c.title, required: 0, complete: 0, rate: null, overdue: 0, expiring: emptyExpiring() },
    ]),
  );
  const departmentRows = new Map<string | null, DepartmentRow>();
  const departmentOf = (p: OverviewPerson) => {
    let row = departmentRows.get(p.departmentId);
    if (!row)
      departmentRows.set(
        p.departmentId,
        (row = {
          departmentId: p.departmentId,
          name: p.departmentName ?? p.departmentId ?? NO_DEPARTMENT,
          people: 0,
          required: 0,
          complete: 0,
          rate: null,
          overdue: 0,
        }),
      );
    return row;
  };
  const expiring = emptyExpiring();

  for (const person of inPostNow) {
    const department = departmentOf(person);
    department.people += 1;
    for (const course of facts.courses) {
      if (!courseLive(releases.get(course.id), now) || !inAudience(course.assignTo, person)) continue;
      const row = courseRows.get(course.id)!;
      row.required += 1;
      department.required += 1;
      const valid = (certs.get(pairKey(person.id, course.id)) ?? []).filter((c) =>
        validAt(c, course, releases.get(course.id), now),
      );
      if (valid.length === 0) continue;
      row.complete += 1;
      department.complete += 1;
      // The certification that lasts longest is the one that matters.
      const until = Math.max(...valid.map((c) => c.expiresAt.getTime()));
      for (const days of EXPIRY_WINDOWS) {
        if (until <= now.getTime() + days * DAY) {
          row.expiring[days] += 1;
          expiring[days] += 1;
        }
      }
    }
  }

  // Overdue: open assignments past due, for people in post (manual assignments included).
  const peopleById = new Map(inPostNow.map((p) => [p.id, p]));
  const overduePeople = new Set<string>();
  let overdue = 0;
  for (const a of facts.assignments) {
    if (!counted.has(a.personId) || a.dueAt.getTime() > now.getTime()) continue;
    overdue += 1;
    overduePeople.add(a.personId);
    const row = courseRows.get(a.courseId);
    if (row) row.overdue += 1;
    departmentOf(peopleById.get(a.personId)!).overdue += 1;
  }

  const signaturesByPair = new Map<string, OverviewSignature[]>();
  for (const s of facts.signatures) {
    const key = pairKey(s.personId, s.agreementId);
    signaturesByPair.set(key, [...(signaturesByPair.get(key) ?? []), s]);
  }
  const agreements = facts.agreements.map((template): AgreementRow => {
    const row: AgreementRow = {
      agreementId: template.id,
      title: template.title,
      required: 0,
      signed: 0,
      rate: null,
      toSign: 0,
      renewalDue: 0,
    };
    for (const person of inPostNow) {
      if (!inAudience(template.signers, person)) continue;
      row.required += 1;
      const { standing } = agreementStanding(
        template,
        signaturesByPair.get(pairKey(person.id, template.id)) ?? [],
        now,
      );
      if (standing === "signed" || standing === "expiring") row.signed += 1;
      else if (standing === "to_sign") row.toSign += 1;
      else row.renewalDue += 1;
    }
    return { ...row, rate: percent(row.signed, row.required) };
  });

  const courses = [...courseRows.values()].map((r) => ({ ...r, rate: percent(r.complete, r.required) }));
  const departments = [...departmentRows.values()]
    .map((r) => ({ ...r, rate: percent(r.complete, r.required) }))
    .sort((a, b) => (a.departmentId === null ? 1 : b.departmentId === null ? -1 : a.name.localeCompare(b.name, "en")));
  const required = courses.reduce((n, r) => n + r.required, 0);
  const complete = courses.reduce((n, r) => n + r.complete, 0);
  return {
    at: now,
    people: inPostNow.length,
    required,
    complete,
    rate: percent(complete, required),
    overdue,
    overduePeople: overduePeople.size,
    expiring,
    courses,
    departments,
    agreements,
    trend: complianceTrend(facts, now),
  };
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
