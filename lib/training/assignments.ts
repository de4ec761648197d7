import "server-only";

import { and, desc, eq, ilike, isNull, or, sql } from "drizzle-orm";

import { writeInChunks } from "@/db/chunks";
import { getDb, type Executor } from "@/db/client";
import { inIds } from "@/db/id-list";
import { selectRows, toDate } from "@/db/rows";
import { assignments, certifications, people } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import { assertMay } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { fileUnder, type ByPerson } from "@/lib/by-person";
import { certificationStatus, supersededAt, type CertificationStatus } from "@/lib/certification/status.rules";
import { getContent, getCourse } from "@/lib/content";
import { inAudience } from "@/lib/content/audience";
import { withAccessRoles } from "@/lib/content/audience-facts";
import type { Course } from "@/lib/content/load";
import { DomainError, NotFoundError } from "@/lib/errors";
import { isoDate } from "@/lib/format";
import { likeLiteral } from "@/lib/http/search-params";
import { inSweep, type Sweep } from "@/lib/scheduler/sweep";

import { dueDateFor } from "./assignments.rules";
import { syncCourseReleases } from "./course-releases";

export type OpenAssignment = { id: string; courseId: string; dueAt: Date; assignedAt: Date; source: string };

type PersonForRules = {
  id: string;
  departmentId: string | null;
  roles: string[];
  hireDate: string | null;
  /** For audiences that name people. */
  email: string;
  /** Data-access roles held now (approved, not ended or revoked): read when a course's audience names any. */
  accessRoles?: readonly string[];
};

/** A person as the sync reads them: the assignment rules' facts and whether they are active. */
export type PersonToSync = PersonForRules & { status: string };

export type SyncOptions = {
  personIds?: string[];
  /** The people themselves, when the caller has just read them: they are not read again. Takes the place of personIds. */
  persons?: PersonToSync[];
  /** Only the people in this slice of the scheduler's sweep (lib/scheduler/sweep.ts). */
  sweep?: Sweep;
  now?: Date;
};

type Needed = { personId: string; courseId: string; source: "rule" | "renewal" | "major_version"; dueAt: Date };

/**
 * What each person must be assigned now, from the course rules and their
 * certifications: a first assignment, a renewal before expiry, or a new
 * major version. Pure apart from its inputs.
 */
export function assignmentsNeeded(
  persons: PersonForRules[],
  courses: Course[],
  latest: ByPerson<{ courseVersion: string; expiresAt: Date; status: string }>,
  open: ByPerson<unknown>,
  releases: Map<string, Date>,
  now: Date,
): Needed[] {
  const out: Needed[] = [];
  for (const person of persons) {
    const own = latest.get(person.id);
    const assigned = open.get(person.id);
    for (const course of courses) {
      if (assigned?.has(course.id) || !inAudience(course.assignTo, person, now)) continue;
      const cert = own?.get(course.id);
      if (!cert) {
        out.push({
          personId: person.id,
          courseId: course.id,
          source: "rule",
          dueAt: dueDateFor(now, person.hireDate ? new Date(person.hireDate) : null, course.dueDays),
        });
        continue;
      }
      const stopsCounting = supersededAt(cert.courseVersion, course, releases.get(course.id) ?? null);
      if (stopsCounting) {
        out.push({ personId: person.id, courseId: course.id, source: "major_version", dueAt: stopsCounting });
      } else if (cert.status === "expiring" || cert.status === "expired") {
        out.push({ personId: person.id, courseId: course.id, source: "renewal", dueAt: cert.expiresAt });
      }
    }
  }
  return out;
}

/** What syncAssignmentsReading read while syncing, for callers that need the same facts. */
export type AssignmentSync = {
  inserted: number;
  /** Open assignments of every person asked about (all people when none were named), new ones included. */
  open: { personId: string; courseId: string; dueAt: Date }[];
  /** Latest certification per person and course (of a course in the content), with its status at `now`. */
  latest: ByPerson<LatestCertification>;
  /** When each course's current major version was released. */
  releases: Map<string, Date>;
};

/** Brings assignments up to date for some people (or everyone active). Safe to run any number of times. */
export async function syncAssignments(db: Executor, options: SyncOptions = {}): Promise<number> {
  return (await syncAssignmentsReading(db, options)).inserted;
}

/**
 * syncAssignments, returning what it read on the way: the open assignments,
 * the latest certifications and the course releases of the people it looked
 * at (active or not; only active people get new assignments). Reports use
 * these instead of reading them a second time.
 */
export async function syncAssignmentsReading(db: Executor, options: SyncOptions = {}): Promise<AssignmentSync> {
  const now = options.now ?? new Date();
  const { courses } = getContent();
  const partial = options.sweep !== undefined && options.sweep.slices > 1;
  const named = options.persons !== undefined || options.personIds !== undefined || partial;
  const [releases, everyone] = await Promise.all([
    syncCourseReleases(db, courses, now),
    options.persons ??
      db
        .select({
          id: people.id,
          status: people.status,
          departmentId: people.departmentId,
          roles: people.roles,
          hireDate: people.hireDate,
          email: people.email,
        })
        .from(people)
        .where(
          and(options.personIds ? inIds(people.id, options.personIds) : undefined, inSweep(people.id, options.sweep)),
        ),
  ]);
  const ids = everyone.map((p) => p.id);
  if (ids.length === 0) return { inserted: 0, open: [], latest: new Map(), releases };
  await withAccessRoles(
    db,
    everyone as PersonToSync[],
    courses.map((c) => c.assignTo),
    now,
  );
  const [open, latest] = await Promise.all([
    openAssignmentsOf(db, named ? ids : undefined),
    latestByPair(db, named ? ids : undefined, courses, releases, now),
  ]);
  const active = everyone.filter((p) => p.status === "active");
  const openByPerson: ByPerson<true> = new Map();
  for (const r of open) fileUnder(openByPerson, r.personId, r.courseId, true);
  const needed = assignmentsNeeded(active, courses, latest, openByPerson, releases, now);
  if (needed.length === 0) return { inserted: 0, open, latest, releases };
  // The partial unique index keeps one open assignment per person and course even if two syncs race.
  // Chunked: a new organisation needs more rows than one statement may bind (6 parameters a row).
  const versions = new Map(courses.map((c) => [c.id, c.version]));
  const inserted = await writeInChunks(needed, 6, (chunk) =>
    db
      .insert(assignments)
      .values(chunk.map((n) => ({ ...n, assignedAt: now, courseVersion: versions.get(n.courseId) ?? null })))
      .onConflictDoNothing()
      .returning({ personId: assignments.personId, courseId: assignments.courseId, dueAt: assignments.dueAt }),
  );
  if (inserted.length === needed.length)
    return { inserted: inserted.length, open: [...open, ...inserted], latest, releases };
  // Another sync inserted some of the same rows at the same moment (its insert won): read those people's open
  // assignments back, so this view shows them too and two views at once agree.
  const raced = new Set(needed.map((n) => n.personId));
  const reread = await openAssignmentsOf(db, [...raced]);
  return {
    inserted: inserted.length,
    open: [...open.filter((r) => !raced.has(r.personId)), ...reread],
    latest,
    releases,
  };
}

/**
 * Open assignments of some people (everyone when none are named). Read raw: a
 * team's or organisation's sync reads thousands of them on every view.
 */
async function openAssignmentsOf(db: Executor, personIds: string[] | undefined): Promise<AssignmentSync["open"]> {
  const rows = await selectRows<{ person_id: string; course_id: string; due_at: string | Date }>(
    db,
    sql`select person_id, course_id, due_at from assignments
      where completed_at is null and cancelled_at is null ${personIds ? sql`and ${inIds(assignments.personId, personIds)}` : sql``}`,
  );
  return rows.map((r) => ({ personId: r.person_id, courseId: r.course_id, dueAt: toDate(r.due_at) }));
}

export type LatestCertification = { courseVersion: string; expiresAt: Date; status: CertificationStatus };

/**
 * The newest certification per (person, course) for some people (everyone
 * when none are named), as latestCertifications picks it, but only the
 * newest row of each pair and only what the rules need: a sync reads this for
 * a whole team or organisation, and every older row read is work thrown away.
 */
async function latestByPair(
  db: Executor,
  personIds: string[] | undefined,
  courses: Course[],
  releases: Map<string, Date>,
  now: Date,
): Promise<ByPerson<LatestCertification>> {
  const rows = await selectRows<{
    person_id: string;
    course_id: string;
    course_version: string;
    expires_at: string | Date;
  }>(
    db,
    sql`
    select distinct on (person_id, course_id) person_id, course_id, course_version, expires_at
    from certifications
    ${personIds ? sql`where ${inIds(certifications.personId, personIds)}` : sql``}
    order by person_id, course_id, issued_at desc`,
  );
  const byCourse = new Map(courses.map((c) => [c.id, { course: c, releasedAt: releases.get(c.id) ?? null }]));
  const latest: ByPerson<LatestCertification> = new Map();
  for (const row of rows) {
    const known = byCourse.get(row.course_id);
    if (!known) continue;
    // One object per row: a team's sync reads thousands of these on every view.
    const certification: LatestCertification = {
      courseVersion: row.course_version,
      expiresAt: toDate(row.expires_at),
      status: "current",
    };
    certification.status = certificationStatus({
      certification,
      course: known.course,
      currentMajorReleasedAt: known.releasedAt,
      now,
    });
    fileUnder(latest, row.person_id, row.course_id, certification);
  }
  return latest;
}

export async function openAssignments(db: Executor, personId: string): Promise<OpenAssignment[]> {
  return db
    .select({
      id: assignments.id,
      courseId: assignments.courseId,
      dueAt: assignments.dueAt,
      assignedAt: assignments.assignedAt,
      source: assignments.source,
    })
    .from(assignments)
    .where(and(eq(assignments.personId, personId), isNull(assignments.completedAt), isNull(assignments.cancelledAt)));
}

/** Compliance admins assign a course by hand, with a due date. */
export async function assignCourseManually(
  viewer: Viewer,
  context: AuditContext,
  input: { personId: string; courseId: string; dueAt: Date },
  now = new Date(),
) {
  assertMay(viewer, "administer");
  const course = getCourse(input.courseId);
  if (!course) throw new NotFoundError("That course does not exist.");
  if (input.dueAt.getTime() < now.getTime())
    throw new DomainError("due_in_past", "The due date must be in the future.");
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [person] = await tx
      .select({ id: people.id, status: people.status, name: people.name })
      .from(people)
      .where(eq(people.id, input.personId));
    if (!person) throw new NotFoundError("That person does not exist.");
    if (person.status !== "active") throw new DomainError("inactive", `${person.name} is not active.`);
    const [existing] = await tx
      .select({ id: assignments.id, dueAt: assignments.dueAt })
      .from(assignments)
      .where(
        and(
          eq(assignments.personId, person.id),
          eq(assignments.courseId, course.id),
          isNull(assignments.completedAt),
          isNull(assignments.cancelledAt),
        ),
      );
    if (existing) {
      throw new DomainError(
        "already_assigned",
        `${person.name} already has this course assigned, due ${isoDate(existing.dueAt)}.`,
      );
    }
    const [row] = await tx
      .insert(assignments)
      .values({
        personId: person.id,
        courseId: course.id,
        source: "manual",
        assignedAt: now,
        dueAt: input.dueAt,
        assignedBy: viewer.id,
        courseVersion: course.version,
      })
      .returning({ id: assignments.id });
    await recordAudit(
      tx,
      context,
      {
        action: "assignment.created",
        targetType: "person",
        targetId: person.id,
        data: { courseId: course.id, dueAt: input.dueAt.toISOString(), assignmentId: row.id },
      },
      now,
    );
    return row;
  });
}

/** A person's open assignment of a course: at most one (a partial unique index keeps it so). */
export function openAssignmentOf(personId: string, courseId: string) {
  return and(
    eq(assignments.personId, personId),
    eq(assignments.courseId, courseId),
    isNull(assignments.completedAt),
    isNull(assignments.cancelledAt),
  );
}

export async function completeOpenAssignment(tx: Executor, personId: string, courseId: string, now: Date) {
  await tx.update(assignments).set({ completedAt: now }).where(openAssignmentOf(personId, courseId));
}

export async function recentManualAssignments(viewer: Viewer, limit = 20) {
  assertMay(viewer, "administer");
  const db = await getDb();
  return db
    .select({
      id: assignments.id,
      courseId: assignments.courseId,
      dueAt: assignments.dueAt,
      assignedAt: assignments.assignedAt,
      completedAt: assignments.completedAt,
      name: people.name,
      email: people.email,
    })
    .from(assignments)
    .innerJoin(people, eq(people.id, assignments.personId))
    .where(eq(assignments.source, "manual"))
    .orderBy(desc(assignments.assignedAt))
    .limit(limit);
}

export async function findActivePersonByEmail(viewer: Viewer, email: string) {
  assertMay(viewer, "administer");
  const db = await getDb();
  const [row] = await db
    .select({ id: people.id })
    .from(people)
    .where(and(eq(people.email, email.trim().toLowerCase()), eq(people.status, "active")));
  return row ?? null;
}

export const PEOPLE_SUGGESTIONS = 20;

/**
 * Active people whose name or email contains `query`, for the assignment
 * form's suggestions: at most PEOPLE_SUGGESTIONS, by name. The form asks as
 * the admin types instead of carrying the whole organisation.
 */
export async function suggestActivePeople(viewer: Viewer, query: string): Promise<{ email: string; name: string }[]> {
  assertMay(viewer, "administer");
  const q = query.trim().slice(0, 100);
  if (q.length === 0) return [];
  const db = await getDb();
  const pattern = `%${likeLiteral(q)}%`;
  return db
    .select({ email: people.email, name: people.name })
    .from(people)
    .where(and(eq(people.status, "active"), or(ilike(people.name, pattern), ilike(people.email, pattern))))
    .orderBy(people.name, people.email)
    .limit(PEOPLE_SUGGESTIONS);
}
