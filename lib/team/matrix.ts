import "server-only";

import { and, eq, isNotNull, max, sql } from "drizzle-orm";

import { getDb, type Executor } from "@/db/client";
import { inIds } from "@/db/id-list";
import { selectRows, toDate } from "@/db/rows";
import { departments, lessonProgress, outbox, people } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import { assertMay } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { fileUnder, type ByPerson } from "@/lib/by-person";
import { getContent } from "@/lib/content";
import { isoDate } from "@/lib/format";
import { toCsv } from "@/lib/reports/csv";
import { syncAssignmentsReading, type PersonToSync } from "@/lib/training/assignments";

import { addAgreementFacts, agreementItems, type AgreementSigner } from "./agreement-cells";
import {
  buildRows,
  itemKey,
  type MatrixFacts,
  type MatrixItem,
  type MatrixRow,
  type ReportPerson,
} from "./matrix.rules";
import { filterQuery, teamTable, viewTeam, type TeamFilters, type TeamView } from "./view";

/** Everything a person may have to complete. Agreements will be appended here when they land. */
export function requiredItems(): MatrixItem[] {
  return [
    ...getContent().courses.map((c) => ({ kind: "course" as const, id: c.id, title: c.title })),
    ...agreementItems(),
  ];
}

const personColumns = {
  id: people.id,
  name: people.name,
  email: people.email,
  departmentId: people.departmentId,
  departmentName: departments.name,
  title: people.title,
};

/** People by id with what the matrix shows of them; `activeOnly` for the team views. */
export async function reportPeople(
  db: Executor,
  ids: string[],
  options: { activeOnly: boolean },
): Promise<ReportPerson[]> {
  if (ids.length === 0) return [];
  return db
    .select(personColumns)
    .from(people)
    .leftJoin(departments, eq(departments.id, people.departmentId))
    .where(and(inIds(people.id, ids), options.activeOnly ? eq(people.status, "active") : undefined));
}

/** When each person was last nudged (the newest nudge email queued for them). */
export async function lastNudges(db: Executor, personIds: string[]): Promise<Map<string, Date>> {
  if (personIds.length === 0) return new Map();
  const rows = await db
    .select({ personId: outbox.personId, at: max(outbox.createdAt) })
    .from(outbox)
    .where(and(eq(outbox.kind, "nudge"), inIds(outbox.personId, personIds)))
    .groupBy(outbox.personId);
  return new Map(rows.filter((r) => r.personId && r.at).map((r) => [r.personId!, new Date(r.at!)]));
}

/**
 * One row per person with a cell per item, in a fixed handful of set-based
 * queries whatever the team's size: assignments are synced (so statuses are
 * right without a scheduled job), reading open assignments and certifications
 * on the way, while lesson progress and nudges are read for everyone at once.
 * `known`: the same people with what the assignment and agreement rules need,
 * when the caller has read that already. Callers check access.
 */
export async function matrixRows(
  db: Executor,
  persons: ReportPerson[],
  now: Date,
  known?: (PersonToSync & AgreementSigner)[],
): Promise<{ items: MatrixItem[]; rows: MatrixRow[] }> {
  const items = requiredItems();
  if (persons.length === 0) return { items, rows: [] };
  const ids = persons.map((p) => p.id);
  const { courses } = getContent();
  const facts: MatrixFacts = {
    assignments: new Map(),
    certifications: new Map(),
    percents: new Map(),
    lastNudges: new Map(),
  };
  // Agreement facts go under their own keys, so they are read alongside the rest.
  const [synced, progressRows, nudges] = await Promise.all([
    syncAssignmentsReading(db, known ? { persons: known, now } : { personIds: ids, now }),
    db
      .select({ personId: lessonProgress.personId, courseId: lessonProgress.courseId, slug: lessonProgress.lessonSlug })
      .from(lessonProgress)
      .where(and(inIds(lessonProgress.personId, ids), isNotNull(lessonProgress.completedAt))),
    lastNudges(db, ids),
    addAgreementFacts(db, ids, facts, now, known),
  ]);
  const { open, latest } = synced;

  facts.lastNudges = nudges;
  // Each course's column key, built once rather than per fact.
  const courseKeys = new Map(courses.map((c) => [c.id, itemKey({ kind: "course", id: c.id })]));
  const course = (id: string) => courseKeys.get(id) ?? itemKey({ kind: "course", id });
  // The sync's rows are the facts as they stand (cellFor reads only dueAt, status and expiresAt): filed, not copied.
  for (const a of open) fileUnder(facts.assignments, a.personId, course(a.courseId), a);
  for (const [personId, byCourse] of latest) {
    for (const [courseId, cert] of byCourse) fileUnder(facts.certifications, personId, course(courseId), cert);
  }
  // Lessons removed from a course no longer count, as on the learner's own pages.
  const lessonsOf = new Map(courses.map((c) => [c.id, new Set(c.lessons.map((l) => l.slug))]));
  const read: ByPerson<number> = new Map();
  for (const p of progressRows) {
    if (!lessonsOf.get(p.courseId)?.has(p.slug)) continue;
    const own = read.get(p.personId)?.get(p.courseId) ?? 0;
    fileUnder(read, p.personId, p.courseId, own + 1);
  }
  for (const [personId, counts] of read) {
    for (const [courseId, count] of counts)
      fileUnder(facts.percents, personId, course(courseId), (count / lessonsOf.get(courseId)!.size) * 100);
  }
  return { items, rows: buildRows(persons, items, facts, now) };
}

type ReportRow = {
  id: string;
  name: string;
  email: string;
  department_id: string | null;
  department_name: string | null;
  title: string | null;
  status: string;
  roles: string[];
  hire_date: string | null;
  created_at: string | Date;
};

/**
 * The manager's active direct and indirect reports, in one read: what the
 * matrix shows of them and what its assignment and agreement rules need. The
 * reporting line is walked as reportIds walks it, inside the same statement,
 * so the team's ids are not read out only to be sent back. Read raw: a
 * thousand rows through the query builder's mapping cost more than the query.
 */
async function activeReports(
  db: Executor,
  managerId: string,
  onlyPersonIds?: string[],
): Promise<(ReportPerson & PersonToSync & AgreementSigner)[]> {
  const rows = await selectRows<ReportRow>(
    db,
    sql`with recursive chain(id, depth) as (
        select id, 1 from people where manager_id = ${managerId}
        union all
        select p.id, c.depth + 1 from people p join chain c on p.manager_id = c.id where c.depth < 20
      )
      select people.id, people.name, people.email, people.department_id, d.name as department_name, people.title, people.status, people.roles, people.hire_date, people.created_at
      from people left join departments d on d.id = people.department_id
      where people.id in (select id from chain) and people.status = 'active' ${onlyPersonIds ? sql`and ${inIds(people.id, onlyPersonIds)}` : sql``}`,
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    email: r.email,
    departmentId: r.department_id,
    departmentName: r.department_name,
    title: r.title,
    status: r.status,
    roles: r.roles,
    hireDate: r.hire_date,
    createdAt: toDate(r.created_at),
  }));
}

/** The manager's active direct and indirect reports, as matrix rows. */
export async function teamRows(db: Executor, viewer: Viewer, now: Date, onlyPersonIds?: string[]) {
  assertMay(viewer, "lead_team", "Only managers can see team records.");
  const known = await activeReports(db, viewer.id, onlyPersonIds);
  // Only what the matrix shows travels on with the rows (and to the browser).
  const persons = known.map(({ id, name, email, departmentId, departmentName, title }): ReportPerson => ({
    id,
    name,
    email,
    departmentId,
    departmentName,
    title,
  }));
  return matrixRows(db, persons, now, known);
}

/** The team matrix as the manager filtered it: one page of rows, the summary and the filter options. */
export async function teamMatrix(viewer: Viewer, filters: TeamFilters, now = new Date()): Promise<TeamView> {
  const db = await getDb();
  const { items, rows } = await teamRows(db, viewer, now);
  return viewTeam(rows, items, filters, now);
}

/** The same rows and columns as the table, all pages, as CSV; the export is audited. */
export async function teamMatrixCsv(
  viewer: Viewer,
  context: AuditContext,
  filters: TeamFilters,
  now = new Date(),
): Promise<{ csv: string; filename: string }> {
  const db = await getDb();
  const { items, rows } = await teamRows(db, viewer, now);
  const view = viewTeam(rows, items, filters, now);
  const csv = toCsv(teamTable(view));
  await recordAudit(
    db,
    context,
    { action: "team.exported", data: { rows: view.matching.length, filters: filterQuery(view.filters, { page: 1 }) } },
    now,
  );
  return { csv, filename: `team-${isoDate(now)}.csv` };
}
