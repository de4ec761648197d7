import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";
import YAML from "yaml";

import { idFromPrompt } from "@/app/(app)/admin/content/[kind]/[id]/draft/question-bank-editor";
import { convertType, type QuestionValue } from "@/app/(app)/admin/content/[kind]/[id]/draft/question-fields";
import { editYaml, type YamlPath } from "@/app/(app)/admin/content/[kind]/[id]/draft/yaml-item";
import { questionSchema } from "@/lib/content/schemas";

const BANK = readFileSync("content/courses/insider-risk/questions.yaml", "utf8");
const questions = YAML.parse(BANK) as QuestionValue[];

function convert(index: number, type: string): QuestionValue {
  const edits = convertType(questions[index], type).map(
    ([path, value]) => [[index, ...path], value] as [YamlPath, unknown],
  );
  return YAML.parse(editYaml(BANK, edits, { flowPadding: true }))[index];
}

describe("editing questions in the form", () => {
  it("names a new question after its prompt, unique in the bank", () => {
    expect(idFromPrompt("Who may approve a refund over €500?", [])).toBe("who-may-approve-a-refund");
    expect(idFromPrompt("Who may approve a refund over €500?", ["who-may-approve-a-refund"])).toBe(
      "who-may-approve-a-refund-2",
    );
    expect(idFromPrompt("", ["question"])).toBe("question-2");
  });

  it("converts between types keeping what still fits, and the result is a valid question", () => {
    const multiple = questions.findIndex((q) => q.type === "multiple");
    const single = questions.findIndex((q) => q.type === "single");
    const trueFalse = questions.findIndex((q) => q.type === "true_false");

    const toSingle = convert(multiple, "single");
    expect(toSingle.options!.filter((o) => o.correct)).toHaveLength(1);
    expect(toSingle.options!.map((o) => o.text)).toEqual(questions[multiple].options!.map((o) => o.text));
    expect(questionSchema.safeParse(toSingle).success).toBe(true);

    const toTrueFalse = convert(single, "true_false");
    expect(toTrueFalse).toEqual({ ...questions[single], type: "true_false", options: undefined, answer: true });
    expect(questionSchema.safeParse(JSON.parse(JSON.stringify(toTrueFalse))).success).toBe(true);

    const toMultiple = convert(trueFalse, "multiple");
    expect(toMultiple.answer).toBeUndefined();
    expect(toMultiple.options).toEqual([
      { id: "a", text: "", correct: true },
      { id: "b", text: "", correct: true },
      { id: "c", text: "" },
    ]);
    // Only the converted question changes.
    const others = (q: QuestionValue[], i: number) => q.filter((_, j) => j !== i);
    const after = YAML.parse(
      editYaml(
        BANK,
        convertType(questions[trueFalse], "multiple").map(([p, v]) => [[trueFalse, ...p], v] as [YamlPath, unknown]),
      ),
    );
    expect(others(after, trueFalse)).toEqual(others(questions, trueFalse));
  });
});
