import "server-only";

import { and, asc, eq, gte, inArray, isNull, lt, or, sql } from "drizzle-orm";

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
};

type PersonRow = { id: string; name: string; email: string; departmentId: string | null; createdAt: Date };

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
 * `exceptionKinds`, oldest first within each kind, handed on one kind at a
 * time so a pack holds no more than one kind's findings.
 */
export async function* exceptionsIn(db: Executor, scope: ExceptionScope): AsyncGenerator<EvidenceException> {
  const overdueDays = scope.overdueDays ?? 30;
  const inScope = scope.departmentId ? eq(people.departmentId, scope.departmentId) : undefined;
  const peopleCache = new Map<string, PersonRow>();
  const personOf = async (ids: string[]) => {
    const missing = [...new Set(ids)].filter((id) => !peopleCache.has(id));
    if (missing.length > 0) {
      const rows = await db
        .select({
          id: people.id,
          name: people.name,
          email: people.email,
          departmentId: people.departmentId,
          createdAt: people.createdAt,
        })
        .from(people)
        .where(inIds(people.id, missing));
      for (const r of rows) peopleCache.set(r.id, r);
    }
  };
  let found: EvidenceException[] = [];
  const joiners: EvidenceException[] = [];
  /** The findings gathered so far, oldest first, handed over and forgotten. */
  const gathered = () => {
    const kind = found.sort((a, b) => a.at.getTime() - b.at.getTime());
    found = [];
    return kind;
  };
  const add = (
    person: PersonRow | undefined,
    e: Omit<EvidenceException, "personId" | "name" | "email" | "department">,
  ) => {
    if (!person) return;
    if (scope.departmentId && person.departmentId !== scope.departmentId) return;
    (e.kind === "joiner_role_before_training" ? joiners : found).push({
      ...e,
      personId: person.id,
      name: person.name,
      email: person.email,
      department: person.departmentId,
    });
  };

  // Grants approved in the period, each judged at the moment of its approval.
  const approved = await db
    .select({
      id: accessGrants.id,
      personId: accessGrants.personId,
      roleId: accessGrants.roleId,
      decidedAt: accessGrants.decidedAt,
    })
    .from(accessGrants)
    .innerJoin(people, eq(people.id, accessGrants.personId))
    .where(
      and(
        inArray(accessGrants.status, ["approved", "revoked"]),
        gte(accessGrants.decidedAt, scope.from),
        lt(accessGrants.decidedAt, scope.to),
        inScope,
      ),
    )
    .orderBy(asc(accessGrants.decidedAt));
  await personOf(approved.map((g) => g.personId));
  // The rules are functions of time over the whole history (decide.rules.ts), so one read of each
  // person's facts judges every approval at its own moment: a few statements for any number of grants.
  for (let start = 0; start < approved.length; start += FACTS_BATCH) {
    const batch = approved.slice(start, start + FACTS_BATCH);
    const { facts } = await loadFactsFor(
      db,
      batch.map((g) => ({ user: g.personId, role: g.roleId })),
    );
    for (const grant of batch) {
      const role = accessRole(grant.roleId);
      if (!role || !grant.decidedAt) continue;
      const decidedAt = grant.decidedAt;
      judgeApproval({ ...grant, decidedAt }, role, decisionFor(facts, grant.personId, role, decidedAt).reasons);
    }
    // Approvals come in time order, so each batch's findings can go as soon as they are judged.
    yield* gathered();
  }
  function judgeApproval(
    grant: (typeof approved)[number] & { decidedAt: Date },
    role: NonNullable<ReturnType<typeof accessRole>>,
    decided: ReturnType<typeof decisionFor>["reasons"],
  ) {
    const reasons = decided.filter(requirementReason);
    if (reasons.length === 0) return;
    const person = peopleCache.get(grant.personId);
    const detail = reasons.map((r) => reasonInWords(r)).join("; ");
    add(person, {
      kind: "approved_unmet",
      at: grant.decidedAt,
      subject: roleName(role.id),
      detail,
      reference: grant.id,
    });
    const joined = person && person.createdAt >= scope.from && person.createdAt < scope.to;
    const untrained = reasons.filter((r) => r.startsWith("course_"));
    if (joined && untrained.length > 0)
      add(person, {
        kind: "joiner_role_before_training",
        at: grant.decidedAt,
        subject: roleName(role.id),
        detail: untrained.map((r) => reasonInWords(r)).join("; "),
        reference: grant.id,
      });
  }

  yield* gathered();
  found = joiners.splice(0);
  yield* gathered();

  // Lapses, as the audit log recorded them when they happened.
  const lapses = await db
    .select({ id: auditEvents.id, at: auditEvents.at, data: auditEvents.data })
    .from(auditEvents)
    .where(and(eq(auditEvents.action, "access.lapsed"), gte(auditEvents.at, scope.from), lt(auditEvents.at, scope.to)))
    .orderBy(asc(auditEvents.id));
  const lapseData = lapses.map((l) => ({
    ...l,
    data: l.data as { personId?: string; roleId?: string; reasons?: string[] },
  }));
  await personOf(lapseData.flatMap((l) => (l.data.personId ? [l.data.personId] : [])));
  for (const lapse of lapseData) {
    if (!lapse.data.personId || !lapse.data.roleId) continue;
    add(peopleCache.get(lapse.data.personId), {
      kind: "held_lapsed",
      at: lapse.at,
      subject: roleName(lapse.data.roleId),
      detail: (lapse.data.reasons ?? []).map((r) => reasonInWords(r)).join("; ") || "Requirements no longer met",
      reference: `audit event ${lapse.id}`,
    });
  }

  yield* gathered();

  // Data operations by people not cleared at that moment (recorded when they were reported).
  const uncleared = await db
    .select({
      id: dataOperationEvents.id,
      personId: dataOperationEvents.personId,
      occurredAt: dataOperationEvents.occurredAt,
      action: dataOperationEvents.action,
      resource: dataOperationEvents.resource,
      roleId: dataOperationEvents.roleId,
      reasons: dataOperationEvents.reasons,
    })
    .from(dataOperationEvents)
    .innerJoin(people, eq(people.id, dataOperationEvents.personId))
    .where(
      and(
        eq(dataOperationEvents.cleared, false),
        gte(dataOperationEvents.occurredAt, scope.from),
        lt(dataOperationEvents.occurredAt, scope.to),
        inScope,
      ),
    )
    .orderBy(asc(dataOperationEvents.occurredAt));
  await personOf(uncleared.map((e) => e.personId));
  for (const e of uncleared) {
    add(peopleCache.get(e.personId), {
      kind: "uncleared_operation",
      at: e.occurredAt,
      subject: `${e.action} ${e.resource}${e.roleId ? ` (${roleName(e.roleId)})` : ""}`,
      detail: e.reasons.map((r) => reasonInWords(r)).join("; ") || "Not cleared",
      reference: `data event ${e.id}`,
    });
  }

  yield* gathered();

  // Assignments more than `overdueDays` past due at some moment of the period.
  const graceMs = sql`${overdueDays} * interval '1 day'`;
  const late = await db
    .select({
      id: assignments.id,
      personId: assignments.personId,
      courseId: assignments.courseId,
      dueAt: assignments.dueAt,
      completedAt: assignments.completedAt,
    })
    .from(assignments)
    .innerJoin(people, eq(people.id, assignments.personId))
    .where(
      and(
        isNull(assignments.cancelledAt),
        sql`${assignments.dueAt} + ${graceMs} < ${scope.to.toISOString()}::timestamptz`,
        sql`${assignments.dueAt} + ${graceMs} < now()`,
        or(
          isNull(assignments.completedAt),
          and(
            sql`${assignments.completedAt} > ${assignments.dueAt} + ${graceMs}`,
            gte(assignments.completedAt, scope.from),
          ),
        ),
        inScope,
      ),
    )
    .orderBy(asc(assignments.dueAt));
  await personOf(late.map((a) => a.personId));
  for (const a of late) {
    add(peopleCache.get(a.personId), {
      kind: "overdue",
      at: addDays(a.dueAt, overdueDays),
      subject: getCourse(a.courseId)?.title ?? a.courseId,
      detail: a.completedAt
        ? `Completed ${Math.floor((a.completedAt.getTime() - a.dueAt.getTime()) / DAY)} days after it was due`
        : `Still incomplete, due ${a.dueAt.toISOString().slice(0, 10)}`,
      reference: a.id,
    });
  }

  yield* gathered();

  // Newest signature of each agreement per active person, at the end of the period.
  const current = new Map(getContent().agreements.map((a) => [a.id, majorOf(a.version)]));
  const newest = await db
    .selectDistinctOn([signatures.personId, signatures.agreementId], {
      id: signatures.id,
      personId: signatures.personId,
      agreementId: signatures.agreementId,
      agreementVersion: signatures.agreementVersion,
      signedAt: signatures.signedAt,
    })
    .from(signatures)
    .innerJoin(people, eq(people.id, signatures.personId))
    .where(
      and(eq(signatures.outcome, "signed"), lt(signatures.signedAt, scope.to), eq(people.status, "active"), inScope),
    )
    .orderBy(signatures.personId, signatures.agreementId, sql`${signatures.signedAt} desc`);
  const outdated = newest.filter(
    (s) => s.personId && current.has(s.agreementId) && majorOf(s.agreementVersion) < current.get(s.agreementId)!,
  );
  await personOf(outdated.map((s) => s.personId!));
  for (const s of outdated) {
    const template = getAgreementTemplate(s.agreementId);
    add(peopleCache.get(s.personId!), {
      kind: "agreement_outdated",
      at: s.signedAt,
      subject: template?.title ?? s.agreementId,
      detail: `Signed version ${s.agreementVersion}; version ${template?.version ?? "?"} is in force`,
      reference: s.id,
    });
  }

  yield* gathered();
}
