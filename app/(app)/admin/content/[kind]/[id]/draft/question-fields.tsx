"use client";

import { inputClass } from "@/components/ui/field";
import type { ContentProblem } from "@/lib/content/load";

import type { YamlPath } from "./yaml-item";

type OptionValue = { id?: unknown; text?: unknown; correct?: unknown; [key: string]: unknown };
export type QuestionValue = {
  id?: unknown;
  type?: unknown;
  kind?: unknown;
  prompt?: unknown;
  options?: OptionValue[];
  answer?: unknown;
  explanation?: unknown;
  [key: string]: unknown;
};
type Edits = [YamlPath, unknown][];

/** The option limits of questionSchema (lib/content/schemas.ts). */
const LIMITS: Record<string, { min: number; max: number }> = {
  single: { min: 3, max: 5 },
  multiple: { min: 3, max: 6 },
};
const LETTERS = "abcdefghij".split("");

function nextOptionId(options: OptionValue[]): string {
  const taken = options.map((o) => String(o.id));
  return LETTERS.find((l) => !taken.includes(l)) ?? `o${options.length + 1}`;
}

/** The edits that turn a question into another type, keeping what still fits. */
export function convertType(question: QuestionValue, type: string): Edits {
  const options = Array.isArray(question.options) ? question.options : [];
  const blank = (n: number, correct: number) =>
    LETTERS.slice(0, n).map((id, i) => (i < correct ? { id, text: "", correct: true } : { id, text: "" }));
  if (type === "true_false")
    return [
      [["type"], type],
      [["options"], undefined],
      [["answer"], question.answer === false ? false : true],
    ];
  const edits: Edits = [
    [["type"], type],
    [["answer"], undefined],
  ];
  if (options.length === 0) edits.push([["options"], blank(3, type === "multiple" ? 2 : 1)]);
  else if (type === "single") {
    // One correct option remains: the first of those marked.
    const first = options.findIndex((o) => o.correct === true);
    options.forEach((o, i) => {
      if (o.correct === true && i !== first) edits.push([["options", i, "correct"], undefined]);
    });
    if (first === -1) edits.push([["options", 0, "correct"], true]);
  }
  return edits;
}

export function QuestionFields({
  index,
  question,
  otherIds,
  problems,
  onEdit,
}: {
  index: number;
  question: QuestionValue;
  otherIds: string[];
  problems: ContentProblem[];
  onEdit: (edits: Edits) => void;
}) {
  const base = `question-${index}`;
  const type = String(question.type ?? "");
  const options = Array.isArray(question.options) ? question.options : [];
  const limits = LIMITS[type];
  const problemOf = (field: string) =>
    problems
      .filter((p) => p.field === `${index}.${field}` || p.field.startsWith(`${index}.${field}.`))
      .map((p) => p.problem)
      .join("; ") || undefined;
  const id = String(question.id ?? "");
  const idError = otherIds.includes(id) ? "another question already has this id" : problemOf("id");
  const whole = problems.filter((p) => p.field === String(index)).map((p) => p.problem);

  function setCorrect(i: number, on: boolean) {
    if (type === "single")
      onEdit(
        options
          .map((o, j): Edits[number] => [["options", j, "correct"], j === i ? true : undefined])
          .filter(([, v], j) => v || options[j].correct !== undefined),
      );
    else onEdit([[["options", i, "correct"], on ? true : undefined]]);
  }

  return (
    <div className="space-y-4">
      {whole.length > 0 && <p className="text-sm text-red-700">{whole.join("; ")}</p>}
      <div className="grid gap-4 sm:grid-cols-3">
        <Control
          id={`${base}-id`}
          label="Id"
          hint="kebab-case, unique; never reuse it for a different question."
          error={idError}
        >
          <input
            id={`${base}-id`}
            type="text"
            value={id}
            onChange={(e) => onEdit([[["id"], e.target.value]])}
            aria-invalid={idError ? true : undefined}
            aria-describedby={`${base}-id-hint`}
            className={`font-mono ${inputClass}`}
          />
        </Control>
        <Control id={`${base}-type`} label="Type" error={problemOf("type")}>
          <select
            id={`${base}-type`}
            value={type}
            onChange={(e) => onEdit(convertType(question, e.target.value))}
            className={inputClass}
          >
            {!["single", "multiple", "true_false"].includes(type) && <option value={type}>Choose…</option>}
            <option value="single">Single choice</option>
            <option value="multiple">Multiple choice (all or nothing)</option>
            <option value="true_false">True or false</option>
          </select>
        </Control>
        <Control
          id={`${base}-kind`}
          label="Kind"
          hint="Scenario: a situation at work. Recall: a fact or rule."
          error={problemOf("kind")}
        >
          <select
            id={`${base}-kind`}
            value={String(question.kind ?? "")}
            onChange={(e) => onEdit([[["kind"], e.target.value]])}
            aria-describedby={`${base}-kind-hint`}
            className={inputClass}
          >
            {!["scenario", "recall"].includes(String(question.kind)) && <option value="">Choose…</option>}
            <option value="scenario">Scenario</option>
            <option value="recall">Recall</option>
          </select>
        </Control>
      </div>
      <Control id={`${base}-prompt`} label="Prompt" error={problemOf("prompt")}>
        <textarea
          id={`${base}-prompt`}
          rows={3}
          value={String(question.prompt ?? "")}
          onChange={(e) => onEdit([[["prompt"], e.target.value]])}
          className={inputClass}
        />
      </Control>

      {type === "true_false" ? (
        <fieldset>
          <legend className="text-sm font-medium text-slate-800">Answer</legend>
          <div className="mt-1 flex gap-4">
            {[true, false].map((value) => (
              <label key={String(value)} className="flex items-center gap-2 text-sm">
                <input
                  type="radio"
                  name={`${base}-answer`}
                  checked={question.answer === value}
                  onChange={() => onEdit([[["answer"], value]])}
                />
                {value ? "True" : "False"}
              </label>
            ))}
          </div>
          {problemOf("answer") && <p className="mt-1 text-sm text-red-700">{problemOf("answer")}</p>}
        </fieldset>
      ) : (
        <fieldset>
          <legend className="text-sm font-medium text-slate-800">
            Options
            {limits
              ? ` (${limits.min} to ${limits.max}; ${type === "single" ? "exactly one" : "at least two"} correct)`
              : ""}
          </legend>
          <ul className="mt-2 space-y-2">
            {options.map((option, i) => {
              const optionId = String(option.id ?? "");
              return (
                <li key={i} className="flex items-center gap-2">
                  <span aria-hidden="true" className="w-5 font-mono text-sm text-slate-600">
                    {optionId}
                  </span>
                  <label htmlFor={`${base}-option-${i}`} className="sr-only">
                    Option {optionId}
                  </label>
                  <input
                    id={`${base}-option-${i}`}
                    type="text"
                    value={String(option.text ?? "")}
                    onChange={(e) => onEdit([[["options", i, "text"], e.target.value]])}
                    className={inputClass}
                  />
                  <label className="flex shrink-0 items-center gap-1 text-sm text-slate-700">
                    <input
                      type={type === "single" ? "radio" : "checkbox"}
                      name={`${base}-correct`}
                      checked={option.correct === true}
                      onChange={(e) => setCorrect(i, e.target.checked)}
                    />
                    Correct<span className="sr-only"> (option {optionId})</span>
                  </label>
                  <button
                    type="button"
                    disabled={limits ? options.length <= limits.min : false}
                    onClick={() => onEdit([[["options"], options.filter((_, j) => j !== i)]])}
                    className="shrink-0 text-sm text-red-700 underline underline-offset-2 disabled:text-slate-400 disabled:no-underline"
                  >
                    Remove<span className="sr-only"> option {optionId}</span>
                  </button>
                </li>
              );
            })}
          </ul>
          <button
            type="button"
            disabled={limits ? options.length >= limits.max : false}
            onClick={() => onEdit([[["options"], [...options, { id: nextOptionId(options), text: "" }]]])}
            className="mt-2 text-sm font-medium text-brand-700 underline-offset-2 hover:underline disabled:text-slate-400"
          >
            + Add an option
          </button>
          {problemOf("options") && <p className="mt-1 text-sm text-red-700">{problemOf("options")}</p>}
        </fieldset>
      )}

      <Control
        id={`${base}-explanation`}
        label="Explanation"
        hint="Shown after the answer: why it is right."
        error={problemOf("explanation")}
      >
        <textarea
          id={`${base}-explanation`}
          rows={4}
          value={String(question.explanation ?? "")}
          onChange={(e) => onEdit([[["explanation"], e.target.value]])}
          aria-describedby={`${base}-explanation-hint`}
          className={inputClass}
        />
      </Control>
    </div>
  );
}

function Control({
  id,
  label,
  hint,
  error,
  children,
}: {
  id: string;
  label: string;
  hint?: string;
  error?: string;
  children: React.ReactNode;
}) {
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <div className="mt-1">{children}</div>
      {hint && (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-600">
          {hint}
        </p>
      )}
      {error && <p className="mt-1 text-sm text-red-700">{error}</p>}
    </div>
  );
}
