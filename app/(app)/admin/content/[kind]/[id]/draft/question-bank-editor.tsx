"use client";

import { useId, useState } from "react";

import { Alert } from "@/components/ui/field";
import type { ContentProblem } from "@/lib/content/load";

import { BankFigures } from "./bank-figures";
import { QuestionFields, type QuestionValue } from "./question-fields";
import { appendEntry, editYaml, readYaml, removeEntry, swapEntries, type YamlPath } from "./yaml-item";

const WRITE = { flowPadding: true };
const TYPE_LABELS: Record<string, string> = {
  single: "Single choice",
  multiple: "Multiple choice",
  true_false: "True or false",
};

/** A question id from its prompt: kebab-case, a few words, unique in the bank. */
export function idFromPrompt(prompt: string, taken: readonly string[]): string {
  const words = prompt
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9\s-]/g, " ")
    .split(/[\s-]+/)
    .filter(Boolean)
    .slice(0, 5);
  const base = words.join("-").slice(0, 50).replace(/-+$/, "") || "question";
  let id = base;
  for (let n = 2; taken.includes(id); n++) id = `${base}-${n}`;
  return id;
}

/** questions.yaml as a list of questions, each opened to edit; the figures of the bank are checked against the bar as you go. */
export function QuestionBankEditor({
  text,
  onChange,
  problems,
}: {
  text: string;
  onChange: (text: string) => void;
  problems: ContentProblem[];
}) {
  const listId = useId();
  const [open, setOpen] = useState<number | null>(null);
  // Questions added here whose id still follows their prompt (until the id is edited by hand).
  const [fresh, setFresh] = useState<string[]>([]);
  const read = readYaml(text);
  if (!read.ok || (read.value !== null && !Array.isArray(read.value)))
    return (
      <Alert>
        The questions cannot be shown as a form until the YAML is fixed
        {read.ok ? ": it must be a list" : `: ${read.error}`}. Open the YAML view to correct it.
      </Alert>
    );
  const questions = ((read.value ?? []) as unknown[]).map(
    (q) => (q && typeof q === "object" ? q : {}) as QuestionValue,
  );
  const ids = questions.map((q) => String(q.id ?? ""));
  const write = (next: () => string) => {
    try {
      onChange(next());
    } catch {
      // The text changed under the form (it no longer parses): nothing is written.
    }
  };
  const problemsOf = (i: number) => problems.filter((p) => p.field === String(i) || p.field.startsWith(`${i}.`));
  const bankProblems = problems.filter((p) => !/^\d+(\.|$)/.test(p.field));

  function add() {
    const id = idFromPrompt("", ids);
    write(() =>
      appendEntry(
        text,
        {
          id,
          type: "single",
          kind: "scenario",
          prompt: "",
          options: [
            { id: "a", text: "", correct: true },
            { id: "b", text: "" },
            { id: "c", text: "" },
          ],
          explanation: "",
        },
        WRITE,
      ),
    );
    setFresh([...fresh, id]);
    setOpen(questions.length);
  }

  function move(i: number, by: -1 | 1) {
    write(() => swapEntries(text, i, i + by));
    if (open === i) setOpen(i + by);
    else if (open === i + by) setOpen(i);
  }

  function remove(i: number) {
    const label = questions[i].prompt ? `“${String(questions[i].prompt).slice(0, 80)}”` : `question ${i + 1}`;
    if (!window.confirm(`Delete ${label} from the bank?`)) return;
    write(() => removeEntry(text, i));
    setOpen(null);
  }

  function edit(i: number, edits: [YamlPath, unknown][]) {
    const prefixed = edits.map(([path, value]) => [[i, ...path], value] as [YamlPath, unknown]);
    const prompt = edits.find(([path]) => path.length === 1 && path[0] === "prompt");
    const idEdit = edits.find(([path]) => path.length === 1 && path[0] === "id");
    if (idEdit) setFresh(fresh.filter((f) => f !== ids[i]));
    else if (prompt && fresh.includes(ids[i])) {
      // A new question is named after its prompt until its id is edited by hand.
      const id = idFromPrompt(
        String(prompt[1]),
        ids.filter((_, j) => j !== i),
      );
      prefixed.push([[i, "id"], id]);
      setFresh([...fresh.filter((f) => f !== ids[i]), id]);
    }
    write(() => editYaml(text, prefixed, WRITE));
  }

  return (
    <div className="space-y-4">
      <BankFigures questions={questions} />
      {bankProblems.length > 0 && (
        <ul className="space-y-1 text-sm text-red-700">
          {bankProblems.map((p, i) => (
            <li key={i}>{p.problem}</li>
          ))}
        </ul>
      )}
      <ol className="divide-y divide-slate-200 rounded-md border border-slate-200 bg-white">
        {questions.map((q, i) => {
          const own = problemsOf(i);
          const expanded = open === i;
          const panel = `${listId}-question-${i}`;
          return (
            <li key={i} className="p-2">
              <div className="flex items-start gap-2">
                <button
                  type="button"
                  aria-expanded={expanded}
                  aria-controls={expanded ? panel : undefined}
                  onClick={() => setOpen(expanded ? null : i)}
                  className="flex min-w-0 flex-1 items-start gap-2 rounded px-2 py-1 text-left text-sm hover:bg-slate-50"
                >
                  <span aria-hidden="true" className="mt-0.5 text-slate-500">
                    {expanded ? "▾" : "▸"}
                  </span>
                  <span className="min-w-0 flex-1">
                    <span className={`block ${expanded ? "" : "truncate"} text-slate-900`}>
                      {i + 1}. {String(q.prompt ?? "") || <em className="text-slate-500">No prompt yet</em>}
                    </span>
                    <span className="mt-0.5 block text-xs text-slate-600">
                      {TYPE_LABELS[String(q.type)] ?? String(q.type ?? "no type")} · {String(q.kind ?? "no kind")}
                      {own.length > 0 && (
                        <span className="ml-2 rounded-full bg-red-100 px-2 text-red-800">
                          {own.length} {own.length === 1 ? "problem" : "problems"}
                        </span>
                      )}
                    </span>
                  </span>
                </button>
                <div className="flex shrink-0 gap-1">
                  <IconButton label={`Move question ${i + 1} up`} disabled={i === 0} onClick={() => move(i, -1)}>
                    ↑
                  </IconButton>
                  <IconButton
                    label={`Move question ${i + 1} down`}
                    disabled={i === questions.length - 1}
                    onClick={() => move(i, 1)}
                  >
                    ↓
                  </IconButton>
                  <IconButton label={`Delete question ${i + 1}`} onClick={() => remove(i)} danger>
                    ✕
                  </IconButton>
                </div>
              </div>
              {expanded && (
                <div id={panel} className="mt-2 border-t border-slate-100 px-2 pt-3">
                  <QuestionFields
                    index={i}
                    question={q}
                    otherIds={ids.filter((_, j) => j !== i)}
                    problems={own}
                    onEdit={(edits) => edit(i, edits)}
                  />
                </div>
              )}
            </li>
          );
        })}
      </ol>
      <button
        type="button"
        onClick={add}
        className="text-sm font-medium text-brand-700 underline-offset-2 hover:underline"
      >
        + Add a question
      </button>
    </div>
  );
}

function IconButton({
  label,
  disabled,
  onClick,
  danger,
  children,
}: {
  label: string;
  disabled?: boolean;
  onClick: () => void;
  danger?: boolean;
  children: string;
}) {
  return (
    <button
      type="button"
      aria-label={label}
      title={label}
      disabled={disabled}
      onClick={onClick}
      className={`rounded px-2 py-1 text-sm ${danger ? "text-red-700" : "text-slate-700"} hover:bg-slate-100 disabled:text-slate-300 disabled:hover:bg-transparent`}
    >
      {children}
    </button>
  );
}
