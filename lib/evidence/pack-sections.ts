import "server-only";

import { and, asc, eq, gt, gte, inArray, isNotNull, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";

import type { Executor } from "@/db/client";
import { selectRows, toDate } from "@/db/rows";
import {
  accessDecisions,
  assignments,
  certifications,
  departments,
  people,
  quizAttempts,
  signatures,
} from "@/db/schema";
import { accessRole } from "@/lib/access/facts";
import { getCourse } from "@/lib/content";
import { isoDate } from "@/lib/format";

/**
 * The records of an evidence pack, each read for one period and scope as
 * CSV rows (header first), streamed a page at a time so an organisation of
 * any size is written in bounded memory. Every section keeps to the pack's
 * population: the people of the scope who were active at some moment of the
 * period.
 */

export type PackScope = {
  /** Start of the period (included) and end (excluded), as instants. */
  from: Date;
  to: Date;
  departmentId: string | null;
};

export type Row = (string | number | null)[];
export type Rows = Row[];

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const courseTitle = (id: string) => getCourse(id)?.title ?? id;
const roleName = (id: string) => accessRole(id)?.name ?? id;

/** Joined before the end of the period and not departed before its start, in the scope's department. */
function populationCondition(scope: PackScope): SQL {
  return and(
    sql`coalesce(${people.hireDate}::timestamptz, ${people.createdAt}) < ${scope.to.toISOString()}::timestamptz`,
    or(isNull(people.departedAt), gte(people.departedAt, scope.from)),
    scope.departmentId ? eq(people.departmentId, scope.departmentId) : undefined,
  )!;
}

/** Ids of the population, as a subquery for the other sections. */
function populationIds(db: Executor, scope: PackScope) {
  return db.select({ id: people.id }).from(people).where(populationCondition(scope));
}

const inPeriod = (column: Parameters<typeof gte>[0], scope: PackScope) =>
  and(gte(column, scope.from), lt(column, scope.to));

/** Partner signatures read per statement. */
const PAGE = 5_000;

/** People per page: each section is read for a page of the population at a time, through the per-person indexes. */
const PEOPLE_PER_PAGE = 500;

type PopulationPage = {
  id: string;
  name: string;
  email: string;
  department: string | null;
  managerName: string | null;
  managerEmail: string | null;
  hireDate: string | null;
  createdAt: Date;
  departedAt: Date | null;
  status: string;
}[];

/**
 * The population a page at a time, in e-mail order (keyset paging on the
 * unique e-mail), so every section can follow it: each file lists its
 * records person by person, in the order of population.csv.
 */
async function* populationPages(db: Executor, scope: PackScope): AsyncGenerator<PopulationPage> {
  const manager = alias(people, "manager");
  let last: string | null = null;
  for (;;) {
    const page: PopulationPage = await db
      .select({
        id: people.id,
        name: people.name,
        email: people.email,
        department: departments.name,
        managerName: manager.name,
        managerEmail: manager.email,
        hireDate: people.hireDate,
        createdAt: people.createdAt,
        departedAt: people.departedAt,
        status: people.status,
      })
      .from(people)
      .leftJoin(departments, eq(departments.id, people.departmentId))
      .leftJoin(manager, eq(manager.id, people.managerId))
      .where(and(populationCondition(scope), last === null ? undefined : gt(people.email, last)))
      .orderBy(asc(people.email))
      .limit(PEOPLE_PER_PAGE);
    if (page.length) yield page;
    if (page.length < PEOPLE_PER_PAGE) return;
    last = page[page.length - 1].email;
  }
}

/** A section's rows, read for one page of the population after another. */
async function* perPerson<T>(
  db: Executor,
  scope: PackScope,
  read: (ids: string[]) => Promise<T[]>,
  row: (record: T) => Row,
): AsyncGenerator<Row> {
  for await (const page of populationPages(db, scope))
    for (const record of await read(page.map((p) => p.id))) yield row(record);
}

export async function* populationRows(db: Executor, scope: PackScope): AsyncGenerator<Row> {
  yield [
    "person_id",
    "name",
    "email",
    "department",
    "manager_name",
    "manager_email",
    "start_date",
    "end_date",
    "status",
  ];
  for await (const page of populationPages(db, scope))
    for (const p of page)
      yield [
        p.id,
        p.name,
        p.email,
        p.department,
        p.managerName,
        p.managerEmail,
        p.hireDate ?? isoDate(p.createdAt),
        p.departedAt ? isoDate(p.departedAt) : null,
        p.status,
      ];
}

export async function* assignmentRows(db: Executor, scope: PackScope): AsyncGenerator<Row> {
  yield [
    "assignment_id",
    "person_id",
    "email",
    "course_id",
    "course",
    "source",
    "assigned_at",
    "due_at",
    "completed_at",
    "cancelled_at",
    "status_at_period_end",
  ];
  const read = (ids: string[]) =>
    db
      .select({
        id: assignments.id,
        personId: assignments.personId,
        email: people.email,
        courseId: assignments.courseId,
        source: assignments.source,
        assignedAt: assignments.assignedAt,
        dueAt: assignments.dueAt,
        completedAt: assignments.completedAt,
        cancelledAt: assignments.cancelledAt,
      })
      .from(assignments)
      .innerJoin(people, eq(people.id, assignments.personId))
      .where(
        and(
          inArray(assignments.personId, ids),
          lt(assignments.assignedAt, scope.to),
          or(isNull(assignments.cancelledAt), gte(assignments.cancelledAt, scope.from)),
          or(isNull(assignments.completedAt), gte(assignments.completedAt, scope.from)),
        ),
      )
      .orderBy(asc(people.email), asc(assignments.assignedAt), asc(assignments.id));
  yield* perPerson(db, scope, read, (a) => {
    const status =
      a.cancelledAt && a.cancelledAt < scope.to
        ? "cancelled"
        : a.completedAt && a.completedAt < scope.to
          ? a.completedAt <= a.dueAt
            ? "completed"
            : "completed_late"
          : a.dueAt < scope.to
            ? "overdue"
            : "open";
    return [
      a.id,
      a.personId,
      a.email,
      a.courseId,
      courseTitle(a.courseId),
      a.source,
      iso(a.assignedAt),
      iso(a.dueAt),
      iso(a.completedAt),
      iso(a.cancelledAt),
      status,
    ];
  });
}

/** Submitted attempts of the period; the score only for people who share it (My data), pass or fail always. */
export async function* attemptRows(db: Executor, scope: PackScope): AsyncGenerator<Row> {
  yield [
    "attempt_id",
    "person_id",
    "email",
    "course_id",
    "course",
    "course_version",
    "submitted_at",
    "result",
    "score_percent",
    "pass_mark_percent",
    // "clearance": a quiz graded on the server; "scorm_package": the result a SCORM package reported from the browser.
    "graded_by",
  ];
  const read = (ids: string[]) =>
    db
      .select({
        id: quizAttempts.id,
        personId: quizAttempts.personId,
        email: people.email,
        courseId: quizAttempts.courseId,
        courseVersion: quizAttempts.courseVersion,
        submittedAt: quizAttempts.submittedAt,
        passed: quizAttempts.passed,
        score: quizAttempts.scorePercent,
        passMark: quizAttempts.passMark,
        kind: quizAttempts.kind,
        shares: people.managerSeesScores,
      })
      .from(quizAttempts)
      .innerJoin(people, eq(people.id, quizAttempts.personId))
      .where(
        and(
          inArray(quizAttempts.personId, ids),
          eq(quizAttempts.status, "submitted"),
          inPeriod(quizAttempts.submittedAt, scope),
        ),
      )
      .orderBy(asc(people.email), asc(quizAttempts.submittedAt), asc(quizAttempts.id));
  yield* perPerson(db, scope, read, (a) => [
    a.id,
    a.personId,
    a.email,
    a.courseId,
    courseTitle(a.courseId),
    a.courseVersion,
    iso(a.submittedAt),
    a.passed ? "pass" : "fail",
    a.shares ? (a.score ?? "") : "not shared",
    a.kind === "package" ? "" : a.passMark,
    a.kind === "package" ? "scorm_package" : "clearance",
  ]);
}

/** Certifications in force at some moment of the period: issued before its end, expiring after its start. */
export async function* certificationRows(db: Executor, scope: PackScope): AsyncGenerator<Row> {
  yield [
    "certification_id",
    "person_id",
    "email",
    "course_id",
    "course",
    "course_version",
    "issued_at",
    "expires_at",
    "superseded_at",
    "verification_code",
    "status_at_period_end",
  ];
  const read = (ids: string[]) =>
    db
      .select({
        id: certifications.id,
        personId: certifications.personId,
        email: people.email,
        courseId: certifications.courseId,
        courseVersion: certifications.courseVersion,
        issuedAt: certifications.issuedAt,
        expiresAt: certifications.expiresAt,
        supersededAt: certifications.supersededAt,
        code: certifications.verificationCode,
      })
      .from(certifications)
      .innerJoin(people, eq(people.id, certifications.personId))
      .where(
        and(
          inArray(certifications.personId, ids),
          lt(certifications.issuedAt, scope.to),
          gte(certifications.expiresAt, scope.from),
        ),
      )
      .orderBy(asc(people.email), asc(certifications.issuedAt), asc(certifications.id));
  yield* perPerson(db, scope, read, (c) => {
    const status =
      c.supersededAt && c.supersededAt < scope.to ? "superseded" : c.expiresAt < scope.to ? "expired" : "in_force";
    return [
      c.id,
      c.personId,
      c.email,
      c.courseId,
      courseTitle(c.courseId),
      c.courseVersion,
      iso(c.issuedAt),
      iso(c.expiresAt),
      iso(c.supersededAt),
      c.code,
      status,
    ];
  });
}

/** Where a signature's stored sealed PDF goes in the pack. */
export const signaturePdfPath = (s: { id: string; signedAt: Date; agreementId: string }) =>
  `agreements/pdfs/${isoDate(s.signedAt)}-${s.agreementId.replace(/[^A-Za-z0-9_-]/g, "_")}-${s.id}.pdf`;

/**
 * Signatures and declines of the period: the population's, and, for the
 * whole organisation, partners' too. Each stored sealed PDF is named here and
 * listed in `pdfs`; the bytes are read one at a time (storedPdf).
 */
export async function* signatureRows(
  db: Executor,
  scope: PackScope,
  pdfs: { id: string; path: string }[],
): AsyncGenerator<Row> {
  yield [
    "signature_id",
    "audience",
    "person_id",
    "signer_name",
    "signer_email",
    "signer_organisation",
    "agreement_id",
    "agreement",
    "version",
    "outcome",
    "at",
    "renewal_due_at",
    "pdf",
    "pdf_sha256",
  ];
  const fields = {
    id: signatures.id,
    audience: signatures.audience,
    personId: signatures.personId,
    signerName: signatures.signerName,
    signerEmail: signatures.signerEmail,
    organisation: signatures.signerOrganisation,
    agreementId: signatures.agreementId,
    title: signatures.agreementTitle,
    version: signatures.agreementVersion,
    outcome: signatures.outcome,
    signedAt: signatures.signedAt,
    renewalDueAt: signatures.renewalDueAt,
    pdfSha256: signatures.pdfSha256,
    hasPdf: isNotNull(signatures.pdfEnc).mapWith(Boolean),
  };
  const read = (ids: string[]) =>
    db
      .select(fields)
      .from(signatures)
      .innerJoin(people, eq(people.id, signatures.personId))
      .where(and(inArray(signatures.personId, ids), inPeriod(signatures.signedAt, scope)))
      .orderBy(asc(people.email), asc(signatures.signedAt), asc(signatures.id));
  type Signed = Awaited<ReturnType<typeof read>>[number];
  const row = (s: Signed): Row => {
    const path = s.hasPdf ? signaturePdfPath(s) : null;
    if (path) pdfs.push({ id: s.id, path });
    return [
      s.id,
      s.audience,
      s.personId,
      s.signerName,
      s.signerEmail,
      s.organisation,
      s.agreementId,
      s.title,
      s.version,
      s.outcome,
      iso(s.signedAt),
      iso(s.renewalDueAt),
      path,
      s.pdfSha256,
    ];
  };
  yield* perPerson(db, scope, read, row);
  if (scope.departmentId) return;
  // Partners (no person record), after the population, in the order they signed.
  let last: { at: string; id: string } | null = null;
  for (;;) {
    const page = await db
      .select({ ...fields, cursor: sql<string>`${signatures.signedAt}::text` })
      .from(signatures)
      .where(
        and(
          isNull(signatures.personId),
          inPeriod(signatures.signedAt, scope),
          last
            ? sql`(${signatures.signedAt}, ${signatures.id}) > (${last.at}::timestamptz, ${last.id}::uuid)`
            : undefined,
        ),
      )
      .orderBy(asc(signatures.signedAt), asc(signatures.id))
      .limit(PAGE);
    for (const s of page) yield row(s);
    if (page.length < PAGE) return;
    last = { at: page[page.length - 1].cursor, id: page[page.length - 1].id };
  }
}

/** The stored sealed PDF of one signature, still encrypted. */
export async function storedPdf(db: Executor, signatureId: string): Promise<string | null> {
  const [row] = await db.select({ pdfEnc: signatures.pdfEnc }).from(signatures).where(eq(signatures.id, signatureId));
  return row?.pdfEnc ?? null;
}

export type GrantEvent = "requested" | "approved" | "denied" | "revoked" | "lapsed";

type GrantEventRow = {
  id: string;
  person_id: string;
  email: string;
  role_id: string;
  event: GrantEvent;
  at: string | Date;
  by: string | null;
  note: string | null;
};

/**
 * One row per thing that happened to a grant in the period (requested,
 * approved or denied, revoked, lapsed), person by person and in the order
 * they happened; `counts` is filled in as the rows pass.
 */
export async function* grantRows(
  db: Executor,
  scope: PackScope,
  counts: Record<GrantEvent, number>,
): AsyncGenerator<Row> {
  yield ["grant_id", "person_id", "email", "role_id", "role", "event", "at", "by", "note"];
  const from = sql`${scope.from.toISOString()}::timestamptz`;
  const to = sql`${scope.to.toISOString()}::timestamptz`;
  const within = (column: string) => sql`${sql.identifier(column)} >= ${from} and ${sql.identifier(column)} < ${to}`;
  const read = (ids: string[]) =>
    selectRows<GrantEventRow>(
      db,
      sql`with g as (
        select g.id, g.person_id, p.email, g.role_id, g.status, g.justification, g.requested_at, g.decided_at,
               d.email as decided_by, g.decision_comment, g.revoked_at, r.email as revoked_by, g.revoke_reason, g.lapsed_at
          from access_grants g
          join people p on p.id = g.person_id
          left join people d on d.id = g.decided_by
          left join people r on r.id = g.revoked_by
         where g.person_id = any(${sql.param(ids)}::uuid[])
      )
      select * from (
        select id, person_id, email, role_id, 0 as rank, 'requested' as event, requested_at as at, email as by, justification as note
          from g where ${within("requested_at")}
        union all
        select id, person_id, email, role_id, 1, case when status = 'denied' then 'denied' else 'approved' end, decided_at, decided_by, decision_comment
          from g where ${within("decided_at")}
        union all
        select id, person_id, email, role_id, 2, 'revoked', revoked_at, revoked_by, revoke_reason from g where ${within("revoked_at")}
        union all
        select id, person_id, email, role_id, 3, 'lapsed', lapsed_at, 'system', 'Requirements no longer met' from g where ${within("lapsed_at")}
      ) e
      order by email, at, id, rank`,
    );
  yield* perPerson(db, scope, read, (e) => {
    counts[e.event]++;
    return [e.id, e.person_id, e.email, e.role_id, roleName(e.role_id), e.event, iso(toDate(e.at)), e.by, e.note];
  });
}

export const DECISION_SAMPLE_SIZE = 500;

/** How the sample is drawn, in words for the summary and the manifest. */
export function sampleMethod(seed: string, size = DECISION_SAMPLE_SIZE): string {
  return (
    `Up to ${size} access decisions logged in the period (for a department, those about its people), ` +
    `chosen as the ones with the smallest SHA-256 of "${seed}:<decision id>" (hex), ordered by that hash: ` +
    "anyone can draw the same sample again from the same log."
  );
}

/** The reproducible sample of logged access decisions, and how many there were in all. */
export async function decisionSample(
  db: Executor,
  scope: PackScope,
  seed: string,
): Promise<{ rows: Rows; total: number; allowed: number }> {
  const where = and(
    inPeriod(accessDecisions.at, scope),
    scope.departmentId ? inArray(accessDecisions.personId, populationIds(db, scope)) : undefined,
  );
  const [totals] = await db
    .select({
      total: sql<number>`count(*)::int`,
      allowed: sql<number>`count(*) filter (where ${accessDecisions.allow})::int`,
    })
    .from(accessDecisions)
    .where(where);
  const key = sql`encode(sha256(convert_to(${seed} || ':' || ${accessDecisions.id}::text, 'UTF8')), 'hex')`;
  const rows = await db
    .select({
      id: accessDecisions.id,
      at: accessDecisions.at,
      personId: accessDecisions.personId,
      subject: accessDecisions.subject,
      roleId: accessDecisions.roleId,
      allow: accessDecisions.allow,
      reasons: accessDecisions.reasons,
      clientId: accessDecisions.clientId,
      key: sql<string>`${key}`,
    })
    .from(accessDecisions)
    .where(where)
    .orderBy(key)
    .limit(DECISION_SAMPLE_SIZE);
  return {
    total: totals?.total ?? 0,
    allowed: totals?.allowed ?? 0,
    rows: [
      ["decision_id", "at", "person_id", "subject", "role_id", "allow", "reasons", "api_client_id", "sample_key"],
      ...rows.map((d) => [
        d.id,
        iso(d.at),
        d.personId,
        d.subject,
        d.roleId,
        d.allow ? "allow" : "deny",
        d.reasons.join(";"),
        d.clientId,
        d.key,
      ]),
    ],
  };
}
