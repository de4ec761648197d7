import { describe, expect, it } from "vitest";

import { bankProblems, bankStats, isKnownCitation, lessonCitations, nearDuplicates } from "@/lib/content/rules";
import type { Question } from "@/lib/content/schemas";

function single(i: number, kind: "scenario" | "recall", correctLongest: boolean): Question {
  return {
    id: `s${i}`,
    type: "single",
    kind,
    prompt: `Single question number ${i} about topic ${i}`,
    explanation: "e",
    options: [
      { id: "a", text: correctLongest ? "The right answer, spelled out at length" : "Right answer", correct: true },
      { id: "b", text: "A wrong answer here" },
      { id: "c", text: "Another wrong one" },
    ],
  };
}
function trueFalse(i: number, kind: "scenario" | "recall", answer: boolean): Question {
  return {
    id: `t${i}`,
    type: "true_false",
    kind,
    prompt: `Statement ${i} to judge true or false`,
    explanation: "e",
    answer,
  };
}

/** 30 questions: 20 single (6 with the longest correct option), 10 true/false (5 true), 20 scenario. */
function goodBank(): Question[] {
  return [
    ...Array.from({ length: 20 }, (_, i) => single(i, i < 14 ? "scenario" : "recall", i < 6)),
    ...Array.from({ length: 10 }, (_, i) => trueFalse(i, i < 6 ? "scenario" : "recall", i < 5)),
  ];
}

describe("question bank bar", () => {
  it("a balanced bank passes", () => {
    const stats = bankStats(goodBank());
    expect(stats).toMatchObject({
      size: 30,
      singleCount: 20,
      trueFalseCount: 10,
      trueShare: 0.5,
      longestCorrectShare: 0.3,
    });
    expect(stats.scenarioShare).toBeCloseTo(20 / 30);
    expect(bankProblems(stats)).toEqual([]);
  });

  it("a bank of 29 fails on size", () => {
    expect(bankProblems(bankStats(goodBank().slice(1)))).toEqual([
      expect.stringMatching(/has 29 questions; at least 30/),
    ]);
  });

  it("a recall-heavy bank fails on the scenario share", () => {
    const bank = goodBank().map((q, i) => ({ ...q, kind: i < 17 ? "scenario" : "recall" }) as Question);
    expect(bankProblems(bankStats(bank))).toEqual([expect.stringMatching(/57% of questions are kind: scenario/)]);
  });

  it("a bank whose right answer is usually the longest fails", () => {
    const bank = goodBank().map((q, i) => (q.type === "single" ? single(i, q.kind, i < 9) : q));
    expect(bankProblems(bankStats(bank))).toEqual([expect.stringMatching(/45% of single-choice .* the longest/)]);
  });

  it("a tie for the longest option counts as longest", () => {
    const q = single(1, "scenario", false);
    if (q.type !== "single") throw new Error("single expected");
    q.options[1].text = "x".repeat(q.options[0].text.length);
    q.options[2].text = "Short";
    expect(bankStats([q]).longestCorrectShare).toBe(1);
  });

  it("a bank of mostly-true statements fails, and so does one of mostly-false", () => {
    const mostlyTrue = goodBank().map((q, i) => (q.type === "true_false" ? trueFalse(i, q.kind, i < 27) : q));
    expect(bankProblems(bankStats(mostlyTrue))).toEqual([expect.stringMatching(/70% of true\/false answers are true/)]);
    const mostlyFalse = goodBank().map((q, i) => (q.type === "true_false" ? trueFalse(i, q.kind, i === 20) : q));
    expect(bankProblems(bankStats(mostlyFalse))).toEqual([
      expect.stringMatching(/10% of true\/false answers are true/),
    ]);
  });
});

describe("near-duplicate prompts", () => {
  it("names both questions of a reworded copy across courses, and ignores different questions", () => {
    const pairs = nearDuplicates([
      {
        course: "a",
        id: "q1",
        prompt: "Under GDPR Art. 33, how long does the controller have to notify the authority?",
      },
      { course: "b", id: "q9", prompt: "Under GDPR Art. 33 how long does a controller have to notify the authority?" },
      { course: "b", id: "q2", prompt: "Which of these is a lawful basis for processing under GDPR Art. 6(1)?" },
    ]);
    expect(pairs).toHaveLength(1);
    expect(pairs[0]).toMatchObject({ a: { course: "a", id: "q1" }, b: { course: "b", id: "q9" } });
    expect(pairs[0].similarity).toBeGreaterThanOrEqual(0.8);
  });
});

describe("citations", () => {
  it.each([
    "GDPR Art. 33(1)",
    "GDPR Art. 9(2)(a)",
    "GDPR Arts. 44–49",
    "PIPL Art. 13",
    "CCPA §1798.130(a)(1)(A)",
    "CCPA §1798.140(ad)",
    "Cal. Civ. Code §1798.82(a)",
    "11 CCR §7051",
    "ESIGN §7001(c)(1)(B)",
    "UETA §7",
    "eIDAS Art. 25(2)",
    "PCI DSS v4.0 Req. 3.4",
    "PCI DSS v4.0 Req. 8.4.2",
    "OWASP Top 10 (2021) A01",
    "NIST SP 800-63B §5.1.1",
    "NIST SP 800-88 Rev. 1 §2.4",
    "ISO/IEC 27001:2022 A.5.15",
    "NLRA §7",
    "Recital 32",
    "GDPR Recital 85",
    "45 CFR §164.402",
    "42 U.S.C. §2000e-2(a)",
    "Directive 2002/58/EC Art. 5(3)",
    "Directive (EU) 2019/1937 Art. 19",
    "WP29 Opinion 2/2017",
    "EDPB Guidelines 05/2020",
    "Data Protection Act 2018 s. 170",
  ])("accepts %s", (citation) => expect(isKnownCitation(citation)).toBe(true));

  it.each([
    "Article 33 GDPR",
    "GDPR art 33",
    "§ 1798.100",
    "GDPR Art 33",
    "NIST 800-63",
    "OWASP A01",
    "Recital thirty",
    "Directive 2019/1937",
    "Opinion 2/2017",
  ])("refuses %s", (citation) => expect(isKnownCitation(citation)).toBe(false));

  it("names the line of an unknown citation and requires at least one", () => {
    const lesson = "# Title\n\nBody text.\n\n**Sources:** GDPR Art. 33(1); Article 34 GDPR; UETA §7\n";
    expect(lessonCitations(lesson)).toEqual({
      citations: ["GDPR Art. 33(1)", "UETA §7"],
      problems: [{ line: 5, problem: expect.stringContaining('"Article 34 GDPR"') }],
    });
    expect(lessonCitations("# Title\n\nNo sources here.\n").problems).toEqual([
      { line: 1, problem: expect.stringContaining("cites nothing") },
    ]);
  });
});
