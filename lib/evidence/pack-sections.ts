import "server-only";

import { and, asc, eq, gte, inArray, isNotNull, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";

import type { Executor } from "@/db/client";
import {
  accessDecisions,
  accessGrants,
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
 * CSV rows (header first). Every section keeps to the pack's population:
 * the people of the scope who were active at some moment of the period.
 */

export type PackScope = {
  /** Start of the period (included) and end (excluded), as instants. */
  from: Date;
  to: Date;
  departmentId: string | null;
};

export type Rows = (string | number | null)[][];

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

export async function populationRows(db: Executor, scope: PackScope): Promise<Rows> {
  const manager = alias(people, "manager");
  const rows = await db
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
    .where(populationCondition(scope))
    .orderBy(asc(people.email));
  return [
    ["person_id", "name", "email", "department", "manager_name", "manager_email", "start_date", "end_date", "status"],
    ...rows.map((p) => [
      p.id,
      p.name,
      p.email,
      p.department,
      p.managerName,
      p.managerEmail,
      p.hireDate ?? isoDate(p.createdAt),
      p.departedAt ? isoDate(p.departedAt) : null,
      p.status,
    ]),
  ];
}

export async function assignmentRows(db: Executor, scope: PackScope): Promise<Rows> {
  const rows = await db
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
        inArray(assignments.personId, populationIds(db, scope)),
        lt(assignments.assignedAt, scope.to),
        or(isNull(assignments.cancelledAt), gte(assignments.cancelledAt, scope.from)),
        or(isNull(assignments.completedAt), gte(assignments.completedAt, scope.from)),
      ),
    )
    .orderBy(asc(assignments.assignedAt), asc(assignments.id));
  const statusAtEnd = (a: (typeof rows)[number]) => {
    if (a.cancelledAt && a.cancelledAt < scope.to) return "cancelled";
    if (a.completedAt && a.completedAt < scope.to) return a.completedAt <= a.dueAt ? "completed" : "completed_late";
    return a.dueAt < scope.to ? "overdue" : "open";
  };
  return [
    [
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
    ],
    ...rows.map((a) => [
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
      statusAtEnd(a),
    ]),
  ];
}

/** Submitted attempts of the period; the score only for people who share it (My data), pass or fail always. */
export async function attemptRows(db: Executor, scope: PackScope): Promise<Rows> {
  const rows = await db
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
      shares: people.managerSeesScores,
    })
    .from(quizAttempts)
    .innerJoin(people, eq(people.id, quizAttempts.personId))
    .where(
      and(
        inArray(quizAttempts.personId, populationIds(db, scope)),
        eq(quizAttempts.status, "submitted"),
        inPeriod(quizAttempts.submittedAt, scope),
      ),
    )
    .orderBy(asc(quizAttempts.submittedAt), asc(quizAttempts.id));
  return [
    [
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
    ],
    ...rows.map((a) => [
      a.id,
      a.personId,
      a.email,
      a.courseId,
      courseTitle(a.courseId),
      a.courseVersion,
      iso(a.submittedAt),
      a.passed ? "pass" : "fail",
      a.shares ? a.score : "not shared",
      a.passMark,
    ]),
  ];
}

/** Certifications in force at some moment of the period: issued before its end, expiring after its start. */
export async function certificationRows(db: Executor, scope: PackScope): Promise<Rows> {
  const rows = await db
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
        inArray(certifications.personId, populationIds(db, scope)),
        lt(certifications.issuedAt, scope.to),
        gte(certifications.expiresAt, scope.from),
      ),
    )
    .orderBy(asc(certifications.issuedAt), asc(certifications.id));
  const statusAtEnd = (c: (typeof rows)[number]) =>
    c.supersededAt && c.supersededAt < scope.to ? "superseded" : c.expiresAt < scope.to ? "expired" : "in_force";
  return [
    [
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
    ],
    ...rows.map((c) => [
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
      statusAtEnd(c),
    ]),
  ];
}

export type SignatureListing = { rows: Rows; pdfs: { id: string; path: string }[] };

/**
 * Signatures and declines of the period: the population's, and, for the
 * whole organisation, partners' too. Each stored sealed PDF is named here;
 * the bytes are read one at a time (signedPdfBytes).
 */
export async function signatureRows(db: Executor, scope: PackScope): Promise<SignatureListing> {
  const rows = await db
    .select({
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
    })
    .from(signatures)
    .where(
      and(
        inPeriod(signatures.signedAt, scope),
        scope.departmentId
          ? inArray(signatures.personId, populationIds(db, scope))
          : or(isNull(signatures.personId), inArray(signatures.personId, populationIds(db, scope))),
      ),
    )
    .orderBy(asc(signatures.signedAt), asc(signatures.id));
  const pdfs: SignatureListing["pdfs"] = [];
  const pathOf = (s: (typeof rows)[number]) => {
    if (!s.hasPdf) return null;
    const path = `agreements/pdfs/${isoDate(s.signedAt)}-${s.agreementId.replace(/[^A-Za-z0-9_-]/g, "_")}-${s.id}.pdf`;
    pdfs.push({ id: s.id, path });
    return path;
  };
  const table: Rows = [
    [
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
    ],
    ...rows.map((s) => [
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
      pathOf(s),
      s.pdfSha256,
    ]),
  ];
  return { rows: table, pdfs };
}

/** The stored sealed PDF of one signature, still encrypted. */
export async function storedPdf(db: Executor, signatureId: string): Promise<string | null> {
  const [row] = await db.select({ pdfEnc: signatures.pdfEnc }).from(signatures).where(eq(signatures.id, signatureId));
  return row?.pdfEnc ?? null;
}

export type GrantEvent = "requested" | "approved" | "denied" | "revoked" | "lapsed";

/** One row per thing that happened to a grant in the period: requested, approved or denied, revoked, lapsed. */
export async function grantRows(
  db: Executor,
  scope: PackScope,
): Promise<{ rows: Rows; counts: Record<GrantEvent, number> }> {
  const decider = alias(people, "decider");
  const revoker = alias(people, "revoker");
  const rows = await db
    .select({
      id: accessGrants.id,
      personId: accessGrants.personId,
      email: people.email,
      roleId: accessGrants.roleId,
      status: accessGrants.status,
      justification: accessGrants.justification,
      requestedAt: accessGrants.requestedAt,
      decidedAt: accessGrants.decidedAt,
      decidedBy: decider.email,
      comment: accessGrants.decisionComment,
      revokedAt: accessGrants.revokedAt,
      revokedBy: revoker.email,
      revokeReason: accessGrants.revokeReason,
      lapsedAt: accessGrants.lapsedAt,
    })
    .from(accessGrants)
    .innerJoin(people, eq(people.id, accessGrants.personId))
    .leftJoin(decider, eq(decider.id, accessGrants.decidedBy))
    .leftJoin(revoker, eq(revoker.id, accessGrants.revokedBy))
    .where(
      and(
        inArray(accessGrants.personId, populationIds(db, scope)),
        or(
          inPeriod(accessGrants.requestedAt, scope),
          inPeriod(accessGrants.decidedAt, scope),
          inPeriod(accessGrants.revokedAt, scope),
          inPeriod(accessGrants.lapsedAt, scope),
        ),
      ),
    )
    .orderBy(asc(accessGrants.requestedAt), asc(accessGrants.id));
  const counts: Record<GrantEvent, number> = { requested: 0, approved: 0, denied: 0, revoked: 0, lapsed: 0 };
  const events: { at: Date; row: Rows[number] }[] = [];
  const within = (d: Date | null): d is Date => d !== null && d >= scope.from && d < scope.to;
  for (const g of rows) {
    const push = (event: GrantEvent, at: Date, by: string | null, note: string | null) => {
      counts[event]++;
      events.push({ at, row: [g.id, g.personId, g.email, g.roleId, roleName(g.roleId), event, iso(at), by, note] });
    };
    if (within(g.requestedAt)) push("requested", g.requestedAt, g.email, g.justification);
    if (within(g.decidedAt)) push(g.status === "denied" ? "denied" : "approved", g.decidedAt, g.decidedBy, g.comment);
    if (within(g.revokedAt)) push("revoked", g.revokedAt, g.revokedBy, g.revokeReason);
    if (within(g.lapsedAt)) push("lapsed", g.lapsedAt, "system", "Requirements no longer met");
  }
  events.sort((a, b) => a.at.getTime() - b.at.getTime());
  return {
    rows: [
      ["grant_id", "person_id", "email", "role_id", "role", "event", "at", "by", "note"],
      ...events.map((e) => e.row),
    ],
    counts,
  };
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
