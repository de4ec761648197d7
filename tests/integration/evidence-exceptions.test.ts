import { randomUUID } from "node:crypto";

import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";

import { assignments, dataOperationEvents, departments, people, signatures } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { exceptionKinds, findExceptions, type EvidenceException } from "@/lib/evidence/exceptions";
import { addDays } from "@/lib/time";

import { grantRole, satisfyRole } from "../helpers/access-fixtures";
import { context, createPerson, employeeSignature } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

/**
 * Each kind of exception seeded once in a period, beside a near miss of the
 * same kind that is not an exception, and one outside the period: each is
 * found, and nothing else is flagged.
 */

const database = withTestDatabase();
const FROM = new Date("2026-01-01T00:00:00Z");
const TO = new Date("2026-07-01T00:00:00Z");
const MID = new Date("2026-03-15T10:00:00Z");
const BEFORE = new Date("2025-10-01T00:00:00Z");
const ROLE = "customer-pii-read";

let found: EvidenceException[];
const who: Record<string, string> = {};

async function person(key: string, createdAt: Date, departmentId: string | null = "dept-a") {
  const p = await createPerson(database.db(), { name: key, email: `${key}@exceptions.example` });
  await database.db().update(people).set({ createdAt, departmentId }).where(eq(people.id, p.id));
  who[key] = p.id;
  return p.id;
}

beforeAll(async () => {
  const db = database.db();
  await db
    .insert(departments)
    .values([
      { id: "dept-a", name: "Support A" },
      { id: "dept-b", name: "Support B" },
    ])
    .onConflictDoNothing();

  // Approved untrained, a joiner: two findings. Approved trained: none. Approved untrained before the period: none.
  await grantRole(db, await person("joiner", addDays(MID, -3)), ROLE, MID);
  const trained = await person("trained", BEFORE);
  await satisfyRole(db, trained, ROLE, addDays(MID, -1));
  await grantRole(db, trained, ROLE, MID);
  await grantRole(db, await person("early", BEFORE), ROLE, addDays(FROM, -10));
  // Trained after the approval: the approval was still an exception.
  const late = await person("late-trainee", BEFORE);
  await grantRole(db, late, ROLE, MID);
  await satisfyRole(db, late, ROLE, addDays(MID, 2));

  // A lapse the log recorded in the period, and one before it.
  const lapsed = await person("lapsed", BEFORE);
  for (const at of [MID, addDays(FROM, -5)])
    await recordAudit(
      db,
      context(),
      {
        action: "access.lapsed",
        targetType: "access_grant",
        targetId: randomUUID(),
        data: { personId: lapsed, roleId: ROLE, reasons: ["course_expired:data-protection-law"] },
      },
      at,
    );

  // Data operations: one uncleared in the period, one cleared, one uncleared outside it.
  const operator = await person("operator", BEFORE);
  const event = (occurredAt: Date, cleared: boolean) => ({
    receivedAt: occurredAt,
    clientId: randomUUID(),
    personId: operator,
    action: "read",
    resource: "ticket/1",
    occurredAt,
    roleId: ROLE,
    cleared,
    reasons: cleared ? [] : ["no_grant"],
  });
  await db.insert(dataOperationEvents).values([event(MID, false), event(MID, true), event(addDays(TO, 1), false)]);

  // Assignments: 40 days past due and open; 10 days past due; completed 45 days late in the period; on time.
  const learner = await person("learner", BEFORE);
  const assignment = (courseId: string, dueAt: Date, completedAt: Date | null = null) => ({
    personId: learner,
    courseId,
    source: "manual" as const,
    assignedAt: addDays(dueAt, -30),
    dueAt,
    completedAt,
  });
  await db
    .insert(assignments)
    .values([
      assignment("data-protection-law", addDays(TO, -40)),
      assignment("support-data-handling", addDays(TO, -10)),
      assignment("confidentiality-acceptable-use", addDays(FROM, -5), addDays(FROM, 40)),
      assignment("phishing-awareness", addDays(FROM, 5), addDays(FROM, 4)),
    ])
    .onConflictDoNothing();

  // Signatures: an older major signed last; an older major since re-signed at the current one.
  const stale = await person("stale-signer", BEFORE);
  await db.insert(signatures).values(
    employeeSignature({
      agreementId: "employee-nda",
      personId: stale,
      signedAt: BEFORE,
      renewalDueAt: addDays(BEFORE, 365),
      agreementVersion: "0.9.0",
    }),
  );
  const resigned = await person("resigned", BEFORE);
  await db.insert(signatures).values([
    employeeSignature({
      agreementId: "employee-nda",
      personId: resigned,
      signedAt: BEFORE,
      renewalDueAt: addDays(BEFORE, 365),
      agreementVersion: "0.9.0",
    }),
    employeeSignature({
      agreementId: "employee-nda",
      personId: resigned,
      signedAt: MID,
      renewalDueAt: addDays(MID, 365),
      agreementVersion: "1.0.0",
    }),
  ]);

  // Another department's exception, left out by a department scope.
  await grantRole(db, await person("elsewhere", addDays(MID, -1), "dept-b"), ROLE, MID);

  found = await findExceptions(db, { from: FROM, to: TO, departmentId: "dept-a", overdueDays: 30 });
});

const of = (kind: EvidenceException["kind"]) =>
  found
    .filter((e) => e.kind === kind)
    .map((e) => Object.entries(who).find(([, id]) => id === e.personId)?.[0] ?? "someone else");

describe("the exceptions report", () => {
  it("finds approvals made while requirements were not met, judged at the moment of approval", () => {
    expect(of("approved_unmet").sort()).toEqual(["joiner", "late-trainee"]);
    const joiner = found.find((e) => e.kind === "approved_unmet" && e.personId === who.joiner)!;
    expect(joiner.subject).toBe("Read customer personal data");
    expect(joiner.detail).toMatch(/^No certification in “Data-protection/);
  });

  it("finds new joiners given a role before finishing training", () => {
    expect(of("joiner_role_before_training")).toEqual(["joiner"]);
  });

  it("finds lapses recorded in the period", () => {
    expect(of("held_lapsed")).toEqual(["lapsed"]);
  });

  it("finds data operations by people not cleared at that moment", () => {
    expect(of("uncleared_operation")).toEqual(["operator"]);
  });

  it("finds training more than the allowed days past due during the period", () => {
    const overdue = found.filter((e) => e.kind === "overdue");
    expect(overdue.map((e) => e.detail).sort()).toEqual([
      expect.stringMatching(/^Completed 45 days after it was due$/),
      expect.stringMatching(/^Still incomplete/),
    ]);
  });

  it("finds people whose newest signature is of an older major version", () => {
    expect(of("agreement_outdated")).toEqual(["stale-signer"]);
  });

  it("flags nothing else, and keeps to the department asked for", () => {
    expect(found).toHaveLength(8);
    expect(found.some((e) => e.personId === who.elsewhere)).toBe(false);
    expect(found.every((e) => e.department === "dept-a")).toBe(true);
  });

  it("reads each kind a page at a time in time order: pages of one row find the same, in the same order", async () => {
    const db = database.db();
    // Several findings of each kind, some at the same moment, so pages end between equal times.
    const extra = await person("many", addDays(MID, -2));
    for (const at of [MID, MID, addDays(MID, 1)]) await grantRole(db, extra, ROLE, at);
    const everyone = { from: FROM, to: TO, overdueDays: 30 };
    const whole = await findExceptions(db, everyone);
    const paged = await findExceptions(db, { ...everyone, pageSize: 1 });
    expect(paged).toEqual(whole);
    expect(whole.filter((e) => e.kind === "approved_unmet").length).toBeGreaterThanOrEqual(5);
    const kinds = whole.map((e) => e.kind);
    expect(kinds).toEqual([...kinds].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
    for (const kind of order) {
      const times = whole.filter((e) => e.kind === kind).map((e) => e.at.getTime());
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
  });
});

const order = Object.keys(exceptionKinds) as EvidenceException["kind"][];
