import { describe, expect, it } from "vitest";

import { certificationStatus, expiryFor, majorOf } from "@/lib/certification/status.rules";
import { inAudience } from "@/lib/content/audience";
import type { Question } from "@/lib/content/load";
import { audienceRuleSchema } from "@/lib/content/schemas";
import { addMonths } from "@/lib/time";
import { dueDateFor } from "@/lib/training/assignments.rules";
import {
  answersRevealed,
  attemptAllowance,
  drawQuestions,
  gradeAttempt,
  reviewOf,
  toPublicQuestions,
  type DrawnQuestion,
} from "@/lib/training/quiz.rules";

const bank: Question[] = [
  {
    id: "s1",
    type: "single",
    kind: "recall",
    prompt: "Single?",
    explanation: "e1",
    options: [
      { id: "a", text: "A", correct: true },
      { id: "b", text: "B" },
      { id: "c", text: "C" },
    ],
  },
  {
    id: "m1",
    type: "multiple",
    kind: "scenario",
    prompt: "Multiple?",
    explanation: "e2",
    options: [
      { id: "a", text: "A", correct: true },
      { id: "b", text: "B", correct: true },
      { id: "c", text: "C" },
      { id: "d", text: "D" },
    ],
  },
  { id: "t1", type: "true_false", kind: "recall", prompt: "True?", explanation: "e3", answer: true },
  { id: "t2", type: "true_false", kind: "recall", prompt: "False?", explanation: "e4", answer: false },
];

function seeded(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

describe("drawing questions", () => {
  it("draws the requested number of distinct questions", () => {
    const drawn = drawQuestions(bank, 3, seeded(1));
    expect(drawn).toHaveLength(3);
    expect(new Set(drawn.map((q) => q.id)).size).toBe(3);
  });
  it("never draws more than the bank holds", () => {
    expect(drawQuestions(bank, 10, seeded(2))).toHaveLength(4);
  });
  it("shuffles options but keeps every option and the right answers", () => {
    const orders = new Set<string>();
    for (let seed = 1; seed < 30; seed++) {
      const m = drawQuestions(bank, 4, seeded(seed)).find((q) => q.id === "m1")!;
      orders.add(m.options.map((o) => o.id).join(""));
      expect(m.options.map((o) => o.id).sort()).toEqual(["a", "b", "c", "d"]);
      expect(m.correct.sort()).toEqual(["a", "b"]);
    }
    expect(orders.size).toBeGreaterThan(3);
  });
  it("gives the browser no answers and no explanations", () => {
    const json = JSON.stringify(toPublicQuestions(drawQuestions(bank, 4, seeded(3))));
    expect(json).not.toContain("correct");
    expect(json).not.toContain("explanation");
    expect(json).not.toContain("e1");
  });
});

describe("grading", () => {
  const drawn: DrawnQuestion[] = drawQuestions(bank, 4, seeded(4));
  const cases: { name: string; answers: Record<string, string[]>; correct: number }[] = [
    { name: "all right", answers: { s1: ["a"], m1: ["b", "a"], t1: ["true"], t2: ["false"] }, correct: 4 },
    { name: "nothing answered", answers: {}, correct: 0 },
    { name: "multiple: partial answer is wrong", answers: { m1: ["a"] }, correct: 0 },
    { name: "multiple: an extra option is wrong", answers: { m1: ["a", "b", "c"] }, correct: 0 },
    { name: "single: two options is wrong", answers: { s1: ["a", "b"] }, correct: 0 },
    { name: "single: wrong option", answers: { s1: ["b"] }, correct: 0 },
    { name: "true/false right", answers: { t1: ["true"], t2: ["false"] }, correct: 2 },
    { name: "true/false wrong", answers: { t1: ["false"], t2: ["true"] }, correct: 0 },
    { name: "unknown option ids are ignored", answers: { s1: ["a", "zz"] }, correct: 1 },
    { name: "duplicates are ignored", answers: { m1: ["a", "a", "b"] }, correct: 1 },
  ];
  it.each(cases)("$name", ({ answers, correct }) => {
    expect(gradeAttempt(drawn, answers, 80).correctCount).toBe(correct);
  });
  it.each([
    [4, 100, true],
    [3, 75, false],
  ])("%i of 4 right is %i%% and passed=%s at an 80%% pass mark", (right, percent, passed) => {
    const answers: Record<string, string[]> = { s1: ["a"], m1: ["a", "b"], t1: ["true"], t2: ["false"] };
    if (right < 4) answers.t2 = ["true"];
    const grade = gradeAttempt(drawn, answers, 80);
    expect(grade.scorePercent).toBe(percent);
    expect(grade.passed).toBe(passed);
  });
  it("passes exactly at the pass mark", () => {
    expect(gradeAttempt(drawn, { s1: ["a"], m1: ["a", "b"], t1: ["true"] }, 75).passed).toBe(true);
  });
});

describe("attempt limit and cooldown", () => {
  const rules = { attemptLimit: 3, cooldownHours: 24 };
  const t = (h: number) => new Date(Date.UTC(2026, 10, 1) + h * 3_600_000);
  const fail = (h: number) => ({ submittedAt: t(h), passed: false });
  it.each([
    ["no attempts", [], t(0), { allowed: true, remaining: 3 }],
    ["two failures", [fail(0), fail(1)], t(2), { allowed: true, remaining: 1 }],
    ["three failures start the cooldown", [fail(0), fail(1), fail(2)], t(3), { allowed: false, retryAt: t(26) }],
    [
      "one second before the cooldown ends",
      [fail(0), fail(1), fail(2)],
      new Date(t(26).getTime() - 1000),
      { allowed: false, retryAt: t(26) },
    ],
    ["the cooldown has passed", [fail(0), fail(1), fail(2)], t(26), { allowed: true, remaining: 3 }],
    [
      "failures after a cooldown count afresh",
      [fail(0), fail(1), fail(2), fail(30)],
      t(31),
      { allowed: true, remaining: 2 },
    ],
    [
      "a pass resets the count",
      [fail(0), fail(1), { submittedAt: t(2), passed: true }, fail(3)],
      t(4),
      { allowed: true, remaining: 2 },
    ],
  ] as const)("%s", (_name, attempts, now, expected) => {
    expect(attemptAllowance([...attempts], rules, now)).toEqual(expected);
  });
});

describe("certification status", () => {
  const issued = new Date("2026-01-15T10:00:00Z");
  const expiresAt = expiryFor(issued, 12);
  const course = { version: "1.2.0", graceDays: 30 };
  const at = (iso: string) => new Date(iso);
  it.each([
    ["just issued", "2026-01-15T10:00:00Z", "current"],
    ["31 days before expiry", "2026-12-15T09:59:59Z", "current"],
    ["exactly 30 days before expiry", "2026-12-16T10:00:00Z", "expiring"],
    ["one second before expiry", "2027-01-15T09:59:59Z", "expiring"],
    ["at expiry", "2027-01-15T10:00:00Z", "expired"],
  ])("%s → %s", (_n, now, status) => {
    expect(
      certificationStatus({
        certification: { courseVersion: "1.0.0", expiresAt },
        course,
        currentMajorReleasedAt: null,
        now: at(now),
      }),
    ).toBe(status);
  });
  it("reads the major version as the number before the first dot", () => {
    expect([majorOf("1.2.0"), majorOf("10.0.3"), majorOf("2"), majorOf("0.9.1")]).toEqual([1, 10, 2, 0]);
    // Version 10 is a newer major than 9, not "1…" read as text.
    expect(
      certificationStatus({
        certification: { courseVersion: "9.4.0", expiresAt },
        course: { version: "10.0.0", graceDays: 0 },
        currentMajorReleasedAt: at("2026-02-01T00:00:00Z"),
        now: at("2026-06-01T00:00:00Z"),
      }),
    ).toBe("superseded");
  });
  it("a minor version never supersedes", () => {
    expect(
      certificationStatus({
        certification: { courseVersion: "1.0.0", expiresAt },
        course: { version: "1.9.0", graceDays: 0 },
        currentMajorReleasedAt: at("2026-02-01T00:00:00Z"),
        now: at("2026-06-01T00:00:00Z"),
      }),
    ).toBe("current");
  });
  it.each([
    ["within the grace period", "2026-03-02T23:59:59Z", "current"],
    ["at the end of the grace period", "2026-03-03T00:00:00Z", "superseded"],
    ["long after", "2026-12-01T00:00:00Z", "superseded"],
  ])("a new major version: %s → %s", (_n, now, status) => {
    expect(
      certificationStatus({
        certification: { courseVersion: "1.0.0", expiresAt },
        course: { version: "2.0.0", graceDays: 30 },
        currentMajorReleasedAt: at("2026-02-01T00:00:00Z"),
        now: at(now),
      }),
    ).toBe(status);
  });
  it("adds months without overflowing short months", () => {
    expect(addMonths(new Date("2026-01-31T00:00:00Z"), 1).toISOString()).toBe("2026-02-28T00:00:00.000Z");
    expect(addMonths(new Date("2024-02-29T00:00:00Z"), 12).toISOString()).toBe("2025-02-28T00:00:00.000Z");
    expect(expiryFor(new Date("2026-05-10T08:00:00Z"), 24).toISOString()).toBe("2028-05-10T08:00:00.000Z");
  });
});

describe("due dates and audiences", () => {
  const assigned = new Date("2026-11-01T00:00:00Z");
  it.each([
    ["no hire date", null, "2026-12-01T00:00:00.000Z"],
    ["hired long ago", new Date("2020-01-01T00:00:00Z"), "2026-12-01T00:00:00.000Z"],
    ["starts next month", new Date("2026-12-01T00:00:00Z"), "2026-12-31T00:00:00.000Z"],
  ])("%s", (_n, hire, due) => {
    expect(dueDateFor(assigned, hire, 30).toISOString()).toBe(due);
  });
  it("matches rules by everyone, department, app role and access role", () => {
    const ana = { departmentId: "support", roles: ["employee"], accessRoles: ["customer-pii-read"] };
    expect(inAudience({ everyone: true }, ana)).toBe(true);
    expect(inAudience({ departments: ["support"] }, ana)).toBe(true);
    expect(inAudience({ departments: ["finance"] }, ana)).toBe(false);
    expect(inAudience({ appRoles: ["manager"] }, ana)).toBe(false);
    expect(inAudience({ accessRoles: ["customer-pii-read"] }, ana)).toBe(true);
  });
  it("matches named people by e-mail address in any case, and only a person whose address is known", () => {
    const ana = { departmentId: "support", roles: ["employee"], email: "Ana.Lima@Example.test" };
    expect(inAudience({ people: ["ana.lima@example.test"] }, ana)).toBe(true);
    expect(inAudience({ people: ["bo@example.test"] }, ana)).toBe(false);
    expect(inAudience({ people: ["ana.lima@example.test"] }, { ...ana, email: undefined })).toBe(false);
  });
  it("applies a rule from its first day to the end of its last, in UTC", () => {
    const ana = { departmentId: "support", roles: ["employee"] };
    const rule = { everyone: true as const, from: "2027-03-01", until: "2027-03-31" };
    expect(inAudience(rule, ana, new Date("2027-02-28T23:59:59.999Z"))).toBe(false);
    expect(inAudience(rule, ana, new Date("2027-03-01T00:00:00Z"))).toBe(true);
    expect(inAudience(rule, ana, new Date("2027-03-31T23:59:59.999Z"))).toBe(true);
    expect(inAudience(rule, ana, new Date("2027-04-01T00:00:00Z"))).toBe(false);
    expect(inAudience({ everyone: true, from: "2027-03-01" }, ana, new Date("2030-01-01T00:00:00Z"))).toBe(true);
  });
});

describe("the audience rule's schema", () => {
  const problems = (rule: unknown) => {
    const parsed = audienceRuleSchema.safeParse(rule);
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };
  it("accepts named people (kept in lower case) and dates, and refuses what is not an address or a calendar day", () => {
    expect(audienceRuleSchema.parse({ people: ["Ana@Example.test"], from: "2027-01-01" })).toEqual({
      people: ["ana@example.test"],
      from: "2027-01-01",
    });
    expect(problems({ people: ["not an address"] })).toEqual(["people.0: must be an e-mail address"]);
    expect(problems({ everyone: true, from: "2027-02-30" })).toEqual(["from: is not a date in the calendar"]);
    expect(problems({ everyone: true, from: "2027-03-01", until: "2027-02-01" })).toEqual([
      "until: must not end before it starts",
    ]);
    expect(problems({ from: "2027-03-01" })).toEqual([
      ": must name everyone, departments, appRoles, accessRoles or people",
    ]);
    expect(problems({ people: Array.from({ length: 501 }, (_, i) => `p${i}@example.test`) })).toEqual([
      "people: at most 500 people by name: use departments or roles for more",
    ]);
  });
});

describe("reviewing a graded attempt", () => {
  it.each([
    ["always", false, true],
    ["always", true, true],
    ["after_pass", false, false],
    ["after_pass", true, true],
    ["never", true, false],
  ] as const)("rule %s, passed %s: correct options revealed %s", (rule, passed, revealed) => {
    expect(answersRevealed(rule, passed)).toBe(revealed);
  });

  it("marks each answer and explains it, and leaves out which options were correct unless revealed", () => {
    const drawn = drawQuestions(bank, bank.length, () => 0.5);
    const answers = Object.fromEntries(drawn.map((q) => [q.id, [q.options[0].id]]));
    const grade = gradeAttempt(drawn, answers, 80);
    const hidden = reviewOf(drawn, grade, false);
    expect(hidden.map((q) => q.isCorrect)).toEqual(grade.questions.map((q) => q.isCorrect));
    expect(hidden.every((q) => q.options.every((o) => !("correct" in o)))).toBe(true);
    expect(hidden.map((q) => q.options.filter((o) => o.chosen).length)).toEqual(drawn.map(() => 1));
    expect(hidden.map((q) => q.explanation)).toEqual(drawn.map((q) => q.explanation));
    const shown = reviewOf(drawn, grade, true);
    expect(
      shown.map((q) =>
        q.options
          .filter((o) => o.correct)
          .map((o) => o.id)
          .sort(),
      ),
    ).toEqual(drawn.map((q) => [...q.correct].sort()));
  });
});
