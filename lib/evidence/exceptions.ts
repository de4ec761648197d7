import "server-only";

import { and, asc, eq, gte, inArray, isNull, lt, or, sql } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { inIds } from "@/db/id-list";
import { accessGrants, assignments, auditEvents, dataOperationEvents, people } from "@/db/schema";
import { reasonInWords } from "@/lib/access/describe";
import { accessRole, decisionFor, loadFactsFor } from "@/lib/access/facts";
import { getCourse } from "@/lib/content";
import { addDays, DAY } from "@/lib/time";

import { afterCursor, cursorText, pages, whoColumns, type Who } from "./exception-rows";
import { outdatedAgreements } from "./outdated-agreements";

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

/** Rows read per statement: a pack holds one page of a kind's findings at a time, never the kind whole. */
const PAGE = 1000;
/** (person, role) pairs read per statement when judging approvals. */
const FACTS_BATCH = 100;
const requirementReason = (r: string) => r.startsWith("course_") || r.startsWith("agreement_");
const roleName = (id: string) => accessRole(id)?.name ?? id;

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
