import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";
import YAML from "yaml";

import {
  appendEntry,
  editYaml,
  readYaml,
  removeEntry,
  setIn,
  swapEntries,
} from "@/app/(app)/admin/content/[kind]/[id]/draft/yaml-item";

const COURSE = `# Settings of the course
id: demo
title: Demo course
summary: >-
  A summary folded by hand
  over two lines.
version: 1.0.0
objectives:
  - You will be able to one.
  - You will be able to two.
  - You will be able to three.
passMark: 80 # agreed with the works council
owner: compliance-team
assignTo:
  appRoles: [manager]
`;

const BANK = `- id: first
  type: single
  kind: scenario
  prompt: "What do you do first?"
  options:
    - { id: a, text: "Report it", correct: true }
    - { id: b, text: "Ignore it" }
    - { id: c, text: "Ask a friend" }
  explanation: >-
    Reporting is right, as the
    lesson explains.
  reviewedBy: legal

# true/false below
- id: second
  type: true_false
  kind: recall
  prompt: "Is this true?"
  answer: true
  explanation: Yes.
`;

function changedLines(before: string, after: string): string[] {
  const a = before.split("\n");
  return after.split("\n").filter((line, i) => a[i] !== line);
}

describe("YAML files edited through the forms", () => {
  it("reads a file, and says why one cannot be read", () => {
    expect(readYaml(COURSE)).toEqual({ ok: true, value: YAML.parse(COURSE) });
    const broken = readYaml("title: [unclosed");
    expect(broken.ok).toBe(false);
  });

  it("changes only the edited value: other lines, comments and unknown keys stay as written", () => {
    const after = setIn(COURSE, ["passMark"], 75);
    expect(changedLines(COURSE, after)).toEqual(["passMark: 75 # agreed with the works council"]);
    expect(after.split("\n").length).toBe(COURSE.split("\n").length);
    expect(YAML.parse(after)).toEqual({ ...YAML.parse(COURSE), passMark: 75 });
  });

  it("keeps a string's style and rewrites only its entry", () => {
    const after = setIn(COURSE, ["objectives", 1], "You will be able to two, better.");
    expect(changedLines(COURSE, after)).toEqual(["  - You will be able to two, better."]);
    const summary = setIn(COURSE, ["summary"], "A new summary.");
    expect(summary).toContain("summary: >-\n  A new summary.\nversion: 1.0.0");
    expect(summary.startsWith("# Settings of the course\nid: demo\n")).toBe(true);
  });

  it("adds a missing key at the end and removes a key, and writes short lists inline", () => {
    const added = setIn(COURSE, ["revealAnswers"], "never");
    expect(added).toBe(`${COURSE}revealAnswers: never\n`);
    const audience = setIn(COURSE, ["assignTo"], { departments: ["support", "legal"] });
    expect(audience).toBe(COURSE.replace("  appRoles: [manager]", "  departments: [support, legal]"));
    const removed = removeEntry(COURSE, "owner");
    expect(removed).toBe(COURSE.replace("owner: compliance-team\n", ""));
  });

  it("round-trips a real course unchanged when nothing is edited, and one edit touches one line", () => {
    for (const file of ["course.yaml", "questions.yaml"]) {
      const text = readFileSync(`content/courses/insider-risk/${file}`, "utf8");
      const value = YAML.parse(text);
      const path = file === "course.yaml" ? ["estimatedMinutes"] : [3, "kind"];
      const current = path.reduce((v, k) => v[k], value);
      expect(setIn(text, path, current)).toBe(text);
      const changed = setIn(text, path, file === "course.yaml" ? 31 : current === "recall" ? "scenario" : "recall");
      expect(changedLines(text, changed)).toHaveLength(1);
    }
  });

  it("edits one question of a bank, keeping the other questions, comments and unknown keys", () => {
    const after = editYaml(
      BANK,
      [
        [[0, "prompt"], "What do you do now?"],
        [[0, "options", 1, "correct"], true],
        [[0, "options", 0, "correct"], undefined],
      ],
      { flowPadding: true },
    );
    const value = YAML.parse(after);
    expect(value[0].prompt).toBe("What do you do now?");
    expect(value[0].reviewedBy).toBe("legal");
    expect(value[0].options).toEqual([
      { id: "a", text: "Report it" },
      { id: "b", text: "Ignore it", correct: true },
      { id: "c", text: "Ask a friend" },
    ]);
    expect(after).toContain('  prompt: "What do you do now?"\n');
    expect(after).toContain('    - { id: b, text: "Ignore it", correct: true }\n');
    expect(after.slice(after.indexOf("\n# true/false below"))).toBe(BANK.slice(BANK.indexOf("\n# true/false below")));
  });

  it("writes a new explanation in the file's own block style and indentation, and an option in place", () => {
    const after = setIn(BANK, [0, "explanation"], "Reporting is right.\nSee lesson 2.");
    expect(after).toBe(
      BANK.replace(
        "  explanation: >-\n    Reporting is right, as the\n    lesson explains.\n",
        "  explanation: >-\n    Reporting is right.\n\n    See lesson 2.\n",
      ),
    );
    expect(YAML.parse(after)[0].explanation).toBe("Reporting is right.\nSee lesson 2.");
    const emptied = setIn(BANK, [0, "explanation"], "");
    expect(YAML.parse(emptied)[0]).toEqual({ ...YAML.parse(BANK)[0], explanation: "" });
    expect(emptied).toBe(
      BANK.replace("  explanation: >-\n    Reporting is right, as the\n    lesson explains.\n", '  explanation: ""\n'),
    );
    const option = setIn(BANK, [0, "options", 2, "text"], "Ask a friend, then decide", { flowPadding: true });
    expect(changedLines(BANK, option)).toEqual(['    - { id: c, text: "Ask a friend, then decide" }']);
  });

  it("adds, moves and removes questions", () => {
    const question = {
      id: "third",
      type: "true_false",
      kind: "recall",
      prompt: "New?",
      answer: false,
      explanation: "No.",
    };
    const added = appendEntry(BANK, question, { flowPadding: true });
    expect(added.startsWith(BANK)).toBe(true);
    expect(added.slice(BANK.length)).toBe(
      '\n- id: third\n  type: true_false\n  kind: recall\n  prompt: "New?"\n  answer: false\n  explanation: >-\n    No.\n',
    );
    expect(YAML.parse(added)).toEqual([...YAML.parse(BANK), question]);

    const swapped = swapEntries(added, 1, 2);
    expect(YAML.parse(swapped).map((q: { id: string }) => q.id)).toEqual(["first", "third", "second"]);
    expect(swapped).toContain("# true/false below");

    const removed = removeEntry(BANK, 1);
    expect(YAML.parse(removed).map((q: { id: string }) => q.id)).toEqual(["first"]);
    expect(removed).toBe(BANK.slice(0, BANK.indexOf("\n\n# true/false")) + "\n");
    expect(YAML.parse(removeEntry(BANK, 0)).map((q: { id: string }) => q.id)).toEqual(["second"]);
  });

  it("writes new options of a question inline, as the content is written by hand", () => {
    const after = setIn(
      BANK,
      [1],
      {
        id: "second",
        type: "single",
        kind: "recall",
        prompt: "Is this true?",
        options: [
          { id: "a", text: "Yes", correct: true },
          { id: "b", text: "No" },
        ],
        explanation: "Yes.",
      },
      { flowPadding: true },
    );
    expect(after).toContain('  options:\n    - { id: a, text: "Yes", correct: true }\n    - { id: b, text: "No" }\n');
  });
});
