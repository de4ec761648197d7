import { and, eq, isNotNull, isNull } from "drizzle-orm";

import type { Executor } from "@/db/client";
import {
  accessGrants,
  assignments,
  certifications,
  courseReleases,
  departments,
  people,
  signatures,
} from "@/db/schema";
import { signatureFactColumns } from "@/lib/agreements/signature-columns";
import { agreementStanding, type SignatureFacts } from "@/lib/agreements/signing.rules";
import { majorOf } from "@/lib/certification/status.rules";
import { getContent } from "@/lib/content";
import { inAudience } from "@/lib/content/audience";
import {
  EXPIRY_WINDOWS,
  percent,
  TREND_MONTHS,
  trendDates,
  type AgreementRow,
  type CourseRow,
  type DepartmentRow,
  type Expiring,
  type Overview,
  type OverviewAgreement,
  type OverviewCourse,
  type OverviewRelease,
  type TrendPoint,
} from "@/lib/reports/overview.rules";

/**
 * The organisation-wide compliance overview computed row by row, as the
 * reference for the one the page shows: that one is counted by the database
 * (lib/reports/overview-queries.ts, overview-aggregates.ts), and
 * tests/integration/overview-sql.test.ts checks that both agree to the last
 * figure. The rule is in lib/reports/overview.rules.ts;
 * tests/unit/overview-rules.test.ts holds this reference to it.
 */

const DAY = 86_400_000;

export type OverviewPerson = {
  id: string;
  departmentId: string | null;
  departmentName: string | null;
  roles: string[];
  status: "active" | "suspended" | "departed";
  hireDate: string | null;
  createdAt: Date;
  departedAt: Date | null;
  email: string;
  /** Their data-access grants, for audiences that name access roles. */
  grants: { roleId: string; status: string; revokedAt: Date | null; endsAt: Date | null }[];
};

/** The person as an audience rule sees them at `now`: access roles are those held then. */
function member(person: OverviewPerson, now: Date) {
  const accessRoles = person.grants
    .filter((g) => g.status === "approved" && g.revokedAt === null && (g.endsAt === null || g.endsAt > now))
    .map((g) => g.roleId);
  return { departmentId: person.departmentId, roles: person.roles, email: person.email, accessRoles };
}

export type OverviewCertification = {
  personId: string;
  courseId: string;
  courseVersion: string;
  issuedAt: Date;
  expiresAt: Date;
};
export type OverviewAssignment = { personId: string; courseId: string; dueAt: Date };

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

/**
 * Every row the overview is computed from: people, certifications, open
 * assignments, course releases and employee signatures.
 */
export async function overviewFacts(db: Executor): Promise<OverviewFacts> {
  const { courses, agreements } = getContent();
  const [personRows, grantRows, certificationRows, assignmentRows, releaseRows, signatureRows] = await Promise.all([
    db
      .select({
        id: people.id,
        departmentId: people.departmentId,
        departmentName: departments.name,
        roles: people.roles,
        status: people.status,
        hireDate: people.hireDate,
        createdAt: people.createdAt,
        departedAt: people.departedAt,
        email: people.email,
      })
      .from(people)
      .leftJoin(departments, eq(departments.id, people.departmentId)),
    db
      .select({
        personId: accessGrants.personId,
        roleId: accessGrants.roleId,
        status: accessGrants.status,
        revokedAt: accessGrants.revokedAt,
        endsAt: accessGrants.endsAt,
      })
      .from(accessGrants),
    db
      .select({
        personId: certifications.personId,
        courseId: certifications.courseId,
        courseVersion: certifications.courseVersion,
        issuedAt: certifications.issuedAt,
        expiresAt: certifications.expiresAt,
      })
      .from(certifications),
    db
      .select({ personId: assignments.personId, courseId: assignments.courseId, dueAt: assignments.dueAt })
      .from(assignments)
      .where(and(isNull(assignments.completedAt), isNull(assignments.cancelledAt))),
    db
      .select({ courseId: courseReleases.courseId, major: courseReleases.major, releasedAt: courseReleases.releasedAt })
      .from(courseReleases),
    db
      .select(signatureFactColumns)
      .from(signatures)
      .where(and(eq(signatures.audience, "employee"), isNotNull(signatures.personId))),
  ]);
  return {
    people: personRows.map((p) => ({ ...p, grants: grantRows.filter((g) => g.personId === p.id) })),
    courses: courses.map((c) => ({
      id: c.id,
      title: c.title,
      version: c.version,
      graceDays: c.graceDays,
      assignTo: c.assignTo,
    })),
    releases: releaseRows,
    certifications: certificationRows,
    assignments: assignmentRows,
    agreements: agreements
      .filter((a) => a.audience === "employee")
      .map((a) => ({ id: a.id, title: a.title, version: a.version, signers: a.signers })),
    signatures: signatureRows.map((s) => ({ ...s, personId: s.personId! })),
  };
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
        if (!courseLive(releases.get(course.id), at) || !inAudience(course.assignTo, member(person, now), at)) continue;
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
      if (!courseLive(releases.get(course.id), now) || !inAudience(course.assignTo, member(person, now), now)) continue;
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
      if (!inAudience(template.signers, member(person, now), now)) continue;
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
