import "server-only";

import { and, asc, eq, gt, gte, inArray, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";

import type { Executor } from "@/db/client";
import { inIds } from "@/db/id-list";
import { accessGrants, assignments, auditEvents, dataOperationEvents, people, signatures } from "@/db/schema";
import { reasonInWords } from "@/lib/access/describe";
import { accessRole, decisionFor, loadFactsFor } from "@/lib/access/facts";
import { majorOf } from "@/lib/certification/status.rules";
import { getAgreementTemplate, getContent, getCourse } from "@/lib/content";
import { addDays, DAY } from "@/lib/time";

/**
 * The exceptions an auditor samples for, over a period: each a finding with
 * the person, the moment and what was wrong, read from the records and the
 * audit log (not from today's state), so a report for last year says what was
 * true then. Every kind is defined once, here, and shown with its definition.
 */

export const exceptionKinds = {
  approved_unmet: {
    title: "Access approved while requirements were not met",
    definition:
      "A data-access grant approved in the period when, at the moment of approval, the person's training or agreements did not meet the role's requirements.",
  },
  joiner_role_before_training: {
    title: "New joiner given a role before finishing training",
    definition:
      "A person who joined in the period and was approved for a data-access role before holding a certification for every course the role requires.",
  },
  held_lapsed: {
    title: "Access held while requirements lapsed",
    definition:
      "A grant in effect that stopped being effective in the period because a certification expired or an agreement fell out of date (access checks denied from then on).",
  },
  uncleared_operation: {
    title: "Data operation by someone not cleared",
    definition:
      "A data operation reported by another system (POST /api/v1/events) that happened in the period while the person did not hold the role it needs.",
  },
  overdue: {
    title: "Training overdue",
    definition:
      "An assignment that, during the period, stayed incomplete for more than the allowed days past its due date.",
  },
  agreement_outdated: {
    title: "Agreement outdated by a major version",
    definition:
      "An active person whose newest signature of an agreement, at the end of the period, is of an earlier major version than the one in force.",
  },
} as const;

export type ExceptionKind = keyof typeof exceptionKinds;

export type EvidenceException = {
  kind: ExceptionKind;
  personId: string;
  name: string;
  email: string;
  department: string | null;
  /** When it happened (or, for a state, when it began). */
  at: Date;
  /** What it concerns: a role, a course or an agreement, in words. */
  subject: string;
  /** What was wrong, in words. */
  detail: string;
  /** The record it was found in (grant, event, assignment or signature id). */
  reference: string;
};

export type ExceptionScope = {
  /** Start of the period (included). */
  from: Date;
  /** End of the period (excluded). */
  to: Date;
  /** Only people of this department. */
  departmentId?: string | null;
  /** How many days past due an assignment may be before it is an exception. */
  overdueDays?: number;
  /** Rows read per statement (tests use a small page to cross page boundaries). */
  pageSize?: number;
};

/** The person a finding names, read with the record it was found in. */
type Who = { personId: string; name: string; email: string; department: string | null; createdAt: Date };
const whoColumns = {
  personId: people.id,
  name: people.name,
  email: people.email,
  department: people.departmentId,
  createdAt: people.createdAt,
};

/** Rows read per statement: a pack holds one page of a kind's findings at a time, never the kind whole. */
const PAGE = 1000;
/** (person, role) pairs read per statement when judging approvals. */
const FACTS_BATCH = 100;
const requirementReason = (r: string) => r.startsWith("course_") || r.startsWith("agreement_");
const roleName = (id: string) => accessRole(id)?.name ?? id;

/**
 * A key to page on: a timestamp (as PostgreSQL's text, so microseconds
 * survive the trip through a JavaScript Date) and the row's id.
 */
type Cursor = { at: string; id: string };
const cursorText = (column: PgColumn) => sql<string>`${column}::text`;
const afterCursor = (at: PgColumn, id: PgColumn, idType: "uuid" | "bigint", after: Cursor | null) =>
  after
    ? sql`(${at}, ${id}) > (${after.at}::timestamptz, ${idType === "uuid" ? sql`${after.id}::uuid` : sql`${after.id}::bigint`})`
    : undefined;

/** A query's rows a page at a time, each page starting after the last row of the one before. */
async function* pages<R extends { cursorAt: string; id: string | number }>(
  size: number,
  read: (after: Cursor | null) => Promise<R[]>,
): AsyncGenerator<R[]> {
  let after: Cursor | null = null;
  for (;;) {
    const rows = await read(after);
    if (rows.length > 0) yield rows;
    if (rows.length < size) return;
    const last = rows[rows.length - 1];
    after = { at: last.cursorAt, id: String(last.id) };
  }
}

/** Every exception in the period and scope, oldest first within each kind. */
export async function findExceptions(db: Executor, scope: ExceptionScope): Promise<EvidenceException[]> {
  const found: EvidenceException[] = [];
  for await (const e of exceptionsIn(db, scope)) found.push(e);
  return found;
}

/**
 * The exceptions of the period and scope, kind after kind in the order of
 * `exceptionKinds`, oldest first within each kind. Each kind is read in time
 * order from the database a page at a time and handed on as it is found, so
 * a pack holds one page of findings however large the organisation.
 */
export async function* exceptionsIn(db: Executor, scope: ExceptionScope): AsyncGenerator<EvidenceException> {
  const overdueDays = scope.overdueDays ?? 30;
  const size = scope.pageSize ?? PAGE;
  const inScope = scope.departmentId ? eq(people.departmentId, scope.departmentId) : undefined;
  const finding = (
    who: Who,
    e: Omit<EvidenceException, "personId" | "name" | "email" | "department">,
  ): EvidenceException => ({
    ...e,
    personId: who.personId,
    name: who.name,
    email: who.email,
    department: who.department,
  });

  // Grants approved in the period, each judged at the moment of its approval. A joiner given a role
  // before training is found in the same pass, but listed after every approval: only the grant's id,
  // time and finding are kept until then (the words shared), and the person is read again for the list.
  type Joiner = { grantId: string; at: number; subject: string; detail: string };
  const joiners: Joiner[] = [];
  const words = new Map<string, string>();
  const shared = (text: string) => words.get(text) ?? (words.set(text, text), text);
  const approvals = pages(size, (after) =>
    db
      .select({
        id: accessGrants.id,
        cursorAt: cursorText(accessGrants.decidedAt),
        roleId: accessGrants.roleId,
        decidedAt: accessGrants.decidedAt,
        ...whoColumns,
      })
      .from(accessGrants)
      .innerJoin(people, eq(people.id, accessGrants.personId))
      .where(
        and(
          inArray(accessGrants.status, ["approved", "revoked"]),
          gte(accessGrants.decidedAt, scope.from),
          lt(accessGrants.decidedAt, scope.to),
          inScope,
          afterCursor(accessGrants.decidedAt, accessGrants.id, "uuid", after),
        ),
      )
      .orderBy(asc(accessGrants.decidedAt), asc(accessGrants.id))
      .limit(size),
  );
  for await (const page of approvals) {
    // The rules are functions of time over the whole history (decide.rules.ts), so one read of each
    // person's facts judges every approval at its own moment: a few statements for any number of grants.
    for (let start = 0; start < page.length; start += FACTS_BATCH) {
      const batch = page.slice(start, start + FACTS_BATCH);
      const { facts } = await loadFactsFor(
        db,
        batch.map((g) => ({ user: g.personId, role: g.roleId })),
      );
      for (const grant of batch) {
        const role = accessRole(grant.roleId);
        if (!role || !grant.decidedAt) continue;
        const reasons = decisionFor(facts, grant.personId, role, grant.decidedAt).reasons.filter(requirementReason);
        if (reasons.length === 0) continue;
        yield finding(grant, {
          kind: "approved_unmet",
          at: grant.decidedAt,
          subject: roleName(role.id),
          detail: reasons.map((r) => reasonInWords(r)).join("; "),
          reference: grant.id,
        });
        const untrained = reasons.filter((r) => r.startsWith("course_"));
        const joined = grant.createdAt >= scope.from && grant.createdAt < scope.to;
        if (joined && untrained.length > 0)
          joiners.push({
            grantId: grant.id,
            at: grant.decidedAt.getTime(),
            subject: shared(roleName(role.id)),
            detail: shared(untrained.map((r) => reasonInWords(r)).join("; ")),
          });
      }
    }
  }
  for (let start = 0; start < joiners.length; start += size) {
    const chunk = joiners.slice(start, start + size);
    const rows = await db
      .select({ id: accessGrants.id, ...whoColumns })
      .from(accessGrants)
      .innerJoin(people, eq(people.id, accessGrants.personId))
      .where(
        inIds(
          accessGrants.id,
          chunk.map((j) => j.grantId),
        ),
      );
    const byGrant = new Map(rows.map((r) => [r.id, r]));
    for (const j of chunk) {
      const who = byGrant.get(j.grantId);
      if (who)
        yield finding(who, {
          kind: "joiner_role_before_training",
          at: new Date(j.at),
          subject: j.subject,
          detail: j.detail,
          reference: j.grantId,
        });
    }
  }
  joiners.length = 0;

  // Lapses, as the audit log recorded them when they happened.
  const lapsedPerson = sql`(case when ${auditEvents.data}->>'personId' ~ '^[0-9a-fA-F-]{36}$' then (${auditEvents.data}->>'personId')::uuid end)`;
  for await (const page of pages(size, (after) =>
    db
      .select({
        id: auditEvents.id,
        cursorAt: cursorText(auditEvents.at),
        at: auditEvents.at,
        data: auditEvents.data,
        ...whoColumns,
      })
      .from(auditEvents)
      .innerJoin(people, eq(people.id, lapsedPerson))
      .where(
        and(
          eq(auditEvents.action, "access.lapsed"),
          gte(auditEvents.at, scope.from),
          lt(auditEvents.at, scope.to),
          inScope,
          afterCursor(auditEvents.at, auditEvents.id, "bigint", after),
        ),
      )
      .orderBy(asc(auditEvents.at), asc(auditEvents.id))
      .limit(size),
  )) {
    for (const lapse of page) {
      const data = lapse.data as { roleId?: string; reasons?: string[] };
      if (!data.roleId) continue;
      yield finding(lapse, {
        kind: "held_lapsed",
        at: lapse.at,
        subject: roleName(data.roleId),
        detail: (data.reasons ?? []).map((r) => reasonInWords(r)).join("; ") || "Requirements no longer met",
        reference: `audit event ${lapse.id}`,
      });
    }
  }

  // Data operations by people not cleared at that moment (recorded when they were reported).
  for await (const page of pages(size, (after) =>
    db
      .select({
        id: dataOperationEvents.id,
        cursorAt: cursorText(dataOperationEvents.occurredAt),
        occurredAt: dataOperationEvents.occurredAt,
        action: dataOperationEvents.action,
        resource: dataOperationEvents.resource,
        roleId: dataOperationEvents.roleId,
        reasons: dataOperationEvents.reasons,
        ...whoColumns,
      })
      .from(dataOperationEvents)
      .innerJoin(people, eq(people.id, dataOperationEvents.personId))
      .where(
        and(
          eq(dataOperationEvents.cleared, false),
          gte(dataOperationEvents.occurredAt, scope.from),
          lt(dataOperationEvents.occurredAt, scope.to),
          inScope,
          afterCursor(dataOperationEvents.occurredAt, dataOperationEvents.id, "bigint", after),
        ),
      )
      .orderBy(asc(dataOperationEvents.occurredAt), asc(dataOperationEvents.id))
      .limit(size),
  )) {
    for (const e of page)
      yield finding(e, {
        kind: "uncleared_operation",
        at: e.occurredAt,
        subject: `${e.action} ${e.resource}${e.roleId ? ` (${roleName(e.roleId)})` : ""}`,
        detail: e.reasons.map((r) => reasonInWords(r)).join("; ") || "Not cleared",
        reference: `data event ${e.id}`,
      });
  }

  // Assignments more than `overdueDays` past due at some moment of the period: due before the
  // period's end (and before now) less the allowance, read in order of their due dates.
  const graceMs = sql`${overdueDays} * interval '1 day'`;
  const dueBefore = addDays(scope.to, -overdueDays);
  for await (const page of pages(size, (after) =>
    db
      .select({
        id: assignments.id,
        cursorAt: cursorText(assignments.dueAt),
        courseId: assignments.courseId,
        dueAt: assignments.dueAt,
        completedAt: assignments.completedAt,
        ...whoColumns,
      })
      .from(assignments)
      .innerJoin(people, eq(people.id, assignments.personId))
      .where(
        and(
          isNull(assignments.cancelledAt),
          lt(assignments.dueAt, dueBefore),
          sql`${assignments.dueAt} < now() - ${graceMs}`,
          or(
            isNull(assignments.completedAt),
            and(
              sql`${assignments.completedAt} > ${assignments.dueAt} + ${graceMs}`,
              gte(assignments.completedAt, scope.from),
            ),
          ),
          inScope,
          afterCursor(assignments.dueAt, assignments.id, "uuid", after),
        ),
      )
      .orderBy(asc(assignments.dueAt), asc(assignments.id))
      .limit(size),
  )) {
    for (const a of page)
      yield finding(a, {
        kind: "overdue",
        at: addDays(a.dueAt, overdueDays),
        subject: getCourse(a.courseId)?.title ?? a.courseId,
        detail: a.completedAt
          ? `Completed ${Math.floor((a.completedAt.getTime() - a.dueAt.getTime()) / DAY)} days after it was due`
          : `Still incomplete, due ${a.dueAt.toISOString().slice(0, 10)}`,
        reference: a.id,
      });
  }

  yield* outdatedAgreements(db, scope, size, inScope, finding);
}

/**
 * Active people whose newest signature of an agreement, at the end of the
 * period, is of an earlier major version than the one in force. The newest
 * signatures are found a page of people at a time; only the outdated ones'
 * ids and times are kept to put them in time order, and their details are
 * read again a page at a time in that order.
 */
async function* outdatedAgreements(
  db: Executor,
  scope: ExceptionScope,
  size: number,
  inScope: SQL | undefined,
  finding: (who: Who, e: Omit<EvidenceException, "personId" | "name" | "email" | "department">) => EvidenceException,
): AsyncGenerator<EvidenceException> {
  const current = new Map(getContent().agreements.map((a) => [a.id, majorOf(a.version)]));
  if (current.size === 0) return;
  const outdated: { at: number; id: string }[] = [];
  let afterPerson: string | null = null;
  for (;;) {
    const population: { id: string }[] = await db
      .select({ id: people.id })
      .from(people)
      .where(and(eq(people.status, "active"), inScope, afterPerson ? gt(people.id, afterPerson) : undefined))
      .orderBy(asc(people.id))
      .limit(size);
    if (population.length === 0) break;
    afterPerson = population[population.length - 1].id;
    const newest = await db
      .selectDistinctOn([signatures.personId, signatures.agreementId], {
        id: signatures.id,
        agreementId: signatures.agreementId,
        agreementVersion: signatures.agreementVersion,
        signedAt: signatures.signedAt,
      })
      .from(signatures)
      .where(
        and(
          inIds(
            signatures.personId,
            population.map((p) => p.id),
          ),
          eq(signatures.outcome, "signed"),
          lt(signatures.signedAt, scope.to),
        ),
      )
      .orderBy(signatures.personId, signatures.agreementId, sql`${signatures.signedAt} desc`);
    for (const s of newest)
      if (current.has(s.agreementId) && majorOf(s.agreementVersion) < current.get(s.agreementId)!)
        outdated.push({ at: s.signedAt.getTime(), id: s.id });
    if (population.length < size) break;
  }
  outdated.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (let start = 0; start < outdated.length; start += size) {
    const ids = outdated.slice(start, start + size).map((s) => s.id);
    const rows = await db
      .select({
        id: signatures.id,
        agreementId: signatures.agreementId,
        agreementVersion: signatures.agreementVersion,
        signedAt: signatures.signedAt,
        ...whoColumns,
      })
      .from(signatures)
      .innerJoin(people, eq(people.id, signatures.personId))
      .where(inIds(signatures.id, ids));
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const id of ids) {
      const s = byId.get(id);
      if (!s) continue;
      const template = getAgreementTemplate(s.agreementId);
      yield finding(s, {
        kind: "agreement_outdated",
        at: s.signedAt,
        subject: template?.title ?? s.agreementId,
        detail: `Signed version ${s.agreementVersion}; version ${template?.version ?? "?"} is in force`,
        reference: s.id,
      });
    }
  }
}
