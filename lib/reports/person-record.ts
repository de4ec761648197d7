import "server-only";

import { and, desc, eq } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";

import { getDb } from "@/db/client";
import { accessGrants, departments, people, quizAttempts, signatures, type PersonStatus } from "@/db/schema";
import { accessRole } from "@/lib/access/facts";
import { may } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { certificationHistory } from "@/lib/certification/records";
import { certificationStatus, type CertificationStatus } from "@/lib/certification/status.rules";
import { getCourse } from "@/lib/content";
import { canSeeRecordsOf, isReportOf } from "@/lib/people/reporting-line";
import { managerSeesScoresOf } from "@/lib/privacy/preferences";
import { matrixRows } from "@/lib/team/matrix";
import { itemKey, nudgeableItems, type Cell, type MatrixItem } from "@/lib/team/matrix.rules";
import { currentReleases } from "@/lib/training/course-releases";

/**
 * Whether the viewer may see a person's quiz scores (not just passed/failed).
 * The only place that decides it: every page that shows a score asks here.
 */
export async function canSeeScores(viewer: Viewer, personId: string): Promise<boolean> {
  if (viewer.id === personId || may(viewer, "oversee")) return true;
  // Managers see scores only if the person allows it (My data → "What your manager sees").
  if (may(viewer, "lead_team")) return managerSeesScoresOf(personId);
  return false;
}

export type SignatureSummary = {
  id: string;
  agreementTitle: string;
  agreementVersion: string;
  signedAt: Date;
  outcome: "signed" | "declined";
};
export type GrantSummary = { id: string; accessRole: string; status: string; decidedAt: Date | null };

export type PersonRecord = {
  person: {
    id: string;
    name: string;
    email: string;
    title: string | null;
    department: string | null;
    managerName: string | null;
    hireDate: string | null;
    status: PersonStatus;
  };
  /** Items that apply to the person, with their status now. */
  items: { item: MatrixItem; cell: Cell }[];
  certifications: {
    id: string;
    courseId: string;
    courseTitle: string;
    courseVersion: string;
    issuedAt: Date;
    expiresAt: Date;
    verificationCode: string;
    status: CertificationStatus | "renewed" | "annulled";
  }[];
  /** Submitted attempts, newest first; `scorePercent` is null when the viewer may not see scores. */
  attempts: {
    id: string;
    courseId: string;
    courseTitle: string;
    submittedAt: Date;
    scorePercent: number | null;
    passed: boolean;
  }[];
  showScores: boolean;
  /** Agreements and data-access grants land with their own issues; the sections already read these lists. */
  signatures: SignatureSummary[];
  grants: GrantSummary[];
  /** The viewer manages this person (directly or not) and may nudge them. */
  canNudge: boolean;
  nudgeable: number;
  lastNudgedAt: Date | null;
};

const courseTitle = (id: string) => getCourse(id)?.title ?? id;

/**
 * A person's training record for their managers (direct or indirect),
 * compliance admins, auditors and themself; null for anyone else, so the page
 * can answer "not found" without telling whether the person exists.
 */
export async function personRecord(viewer: Viewer, personId: string, now = new Date()): Promise<PersonRecord | null> {
  const db = await getDb();
  if (!(await canSeeRecordsOf(db, viewer, personId))) return null;
  const manager = alias(people, "manager");
  const [person] = await db
    .select({
      id: people.id,
      name: people.name,
      email: people.email,
      title: people.title,
      departmentId: people.departmentId,
      department: departments.name,
      managerName: manager.name,
      hireDate: people.hireDate,
      status: people.status,
    })
    .from(people)
    .leftJoin(departments, eq(departments.id, people.departmentId))
    .leftJoin(manager, eq(manager.id, people.managerId))
    .where(eq(people.id, personId));
  if (!person) return null;

  const [signatureRows, grantRows] = await Promise.all([
    db
      .select({
        id: signatures.id,
        title: signatures.agreementTitle,
        version: signatures.agreementVersion,
        signedAt: signatures.signedAt,
        outcome: signatures.outcome,
      })
      .from(signatures)
      .where(eq(signatures.personId, person.id))
      .orderBy(desc(signatures.signedAt)),
    db
      .select({
        id: accessGrants.id,
        roleId: accessGrants.roleId,
        status: accessGrants.status,
        decidedAt: accessGrants.decidedAt,
      })
      .from(accessGrants)
      .where(eq(accessGrants.personId, person.id))
      .orderBy(desc(accessGrants.requestedAt)),
  ]);
  const [matrix, history, attemptRows, releases, showScores, managesPerson] = await Promise.all([
    matrixRows(
      db,
      [
        {
          id: person.id,
          name: person.name,
          email: person.email,
          departmentId: person.departmentId,
          departmentName: person.department,
          title: person.title,
        },
      ],
      now,
    ),
    certificationHistory(db, person.id),
    db
      .select({
        id: quizAttempts.id,
        courseId: quizAttempts.courseId,
        submittedAt: quizAttempts.submittedAt,
        scorePercent: quizAttempts.scorePercent,
        passed: quizAttempts.passed,
      })
      .from(quizAttempts)
      .where(and(eq(quizAttempts.personId, person.id), eq(quizAttempts.status, "submitted")))
      .orderBy(desc(quizAttempts.submittedAt)),
    currentReleases(db),
    canSeeScores(viewer, person.id),
    may(viewer, "lead_team") && viewer.id !== person.id ? isReportOf(db, viewer.id, person.id) : Promise.resolve(false),
  ]);
  const row = matrix.rows[0];
  const items = matrix.items
    .map((item) => ({ item, cell: row.cells[itemKey(item)] }))
    .filter(({ cell }) => cell.status !== "not_applicable");

  const seen = new Set<string>();
  const certifications = history.map((c) => {
    const course = getCourse(c.courseId);
    const newest = !seen.has(c.courseId);
    seen.add(c.courseId);
    const status: CertificationStatus | "renewed" | "annulled" = c.annulledAt
      ? "annulled"
      : !newest
        ? "renewed"
        : course
          ? certificationStatus({
              certification: c,
              course,
              currentMajorReleasedAt: releases.get(c.courseId) ?? null,
              now,
            })
          : "expired";
    return {
      id: c.id,
      courseId: c.courseId,
      courseTitle: courseTitle(c.courseId),
      courseVersion: c.courseVersion,
      issuedAt: c.issuedAt,
      expiresAt: c.expiresAt,
      verificationCode: c.verificationCode,
      status,
    };
  });

  return {
    person: {
      id: person.id,
      name: person.name,
      email: person.email,
      title: person.title,
      department: person.department,
      managerName: person.managerName,
      hireDate: person.hireDate,
      status: person.status,
    },
    items,
    certifications,
    attempts: attemptRows.map((a) => ({
      id: a.id,
      courseId: a.courseId,
      courseTitle: courseTitle(a.courseId),
      submittedAt: a.submittedAt!,
      scorePercent: showScores ? a.scorePercent : null,
      passed: Boolean(a.passed),
    })),
    showScores,
    signatures: signatureRows.map((r) => ({
      id: r.id,
      agreementTitle: r.title,
      agreementVersion: r.version,
      signedAt: r.signedAt,
      outcome: r.outcome,
    })),
    grants: grantRows.map((g) => ({
      id: g.id,
      accessRole: accessRole(g.roleId)?.name ?? g.roleId,
      status: g.status,
      decidedAt: g.decidedAt,
    })),
    canNudge: managesPerson && person.status === "active",
    nudgeable: nudgeableItems(row, matrix.items).length,
    lastNudgedAt: row.lastNudgedAt,
  };
}
