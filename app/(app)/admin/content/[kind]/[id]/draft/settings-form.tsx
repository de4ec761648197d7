"use client";

import { useId } from "react";

import { Alert, inputClass } from "@/components/ui/field";
import type { ContentProblem } from "@/lib/content/load";

import { AudienceFields, type Audience } from "./audience-fields";
import { Row, strings } from "./form-row";
import { editYaml, readYaml, type YamlPath } from "./yaml-item";

type Settings = Record<string, unknown>;

/**
 * The number settings of course.yaml, with the limits of courseMetaSchema (lib/content/schemas.ts). `quiz` marks
 * those only Clearance's own quiz uses: a course that plays a SCORM package keeps them but does not show them.
 */
const NUMBERS: { key: string; label: string; min: number; max: number; hint: string; quiz?: true }[] = [
  {
    key: "passMark",
    label: "Pass mark (%)",
    min: 50,
    max: 100,
    hint: "Percent of the drawn questions answered right to pass.",
    quiz: true,
  },
  {
    key: "questionsPerAttempt",
    label: "Questions per attempt",
    min: 1,
    max: 50,
    hint: "Drawn from the question bank for each attempt.",
    quiz: true,
  },
  {
    key: "attemptLimit",
    label: "Attempt limit",
    min: 1,
    max: 10,
    hint: "Failed attempts allowed before the cooldown.",
  },
  { key: "cooldownHours", label: "Cooldown (hours)", min: 0, max: 720, hint: "Wait after using up the attempts." },
  {
    key: "estimatedMinutes",
    label: "Estimated minutes",
    min: 1,
    max: 600,
    hint: "Reading and quiz time, shown to learners.",
  },
  {
    key: "graceDays",
    label: "Grace days",
    min: 0,
    max: 365,
    hint: "How long older certifications stay valid after a major version.",
  },
  { key: "dueDays", label: "Due days", min: 1, max: 365, hint: "Days from assignment (or hire date) to the due date." },
];

const REVEAL: { value: string; label: string }[] = [
  { value: "after_pass", label: "After a pass (the default)" },
  { value: "always", label: "Always" },
  { value: "never", label: "Never" },
];

// Ids as words, with the abbreviations among them in capitals ("customer-pii-read" → "Customer PII read").

/** course.yaml as a form. Every change is written back into the file's text, which stays the source of truth. */
export function SettingsForm({
  text,
  onChange,
  problems,
}: {
  text: string;
  onChange: (text: string) => void;
  problems: ContentProblem[];
}) {
  const id = useId();
  const read = readYaml(text);
  if (!read.ok || typeof read.value !== "object" || read.value === null || Array.isArray(read.value))
    return (
      <Alert>
        The settings cannot be shown as a form until the YAML is fixed{read.ok ? "" : `: ${read.error}`}. Open the YAML
        view to correct it.
      </Alert>
    );
  const settings = read.value as Settings;
  const edit = (...edits: [YamlPath, unknown][]) => onChange(editYaml(text, edits));
  const problemOf = (field: string) =>
    problems
      .filter((p) => p.field === field || p.field.startsWith(`${field}.`))
      .map((p) => p.problem)
      .join("; ") || undefined;
  const objectives = strings(settings.objectives);
  const playsPackage = typeof settings.package === "string";
  const audience = (settings.assignTo && typeof settings.assignTo === "object" ? settings.assignTo : {}) as Audience;

  return (
    <div className="space-y-6">
      <Row id={`${id}-title`} label="Title" error={problemOf("title")} hint="Shown in the catalogue.">
        {(props) => (
          <input
            {...props}
            type="text"
            value={String(settings.title ?? "")}
            onChange={(e) => edit([["title"], e.target.value])}
            className={inputClass}
          />
        )}
      </Row>
      <Row id={`${id}-summary`} label="Summary" error={problemOf("summary")} hint="One or two sentences.">
        {(props) => (
          <textarea
            {...props}
            rows={3}
            value={String(settings.summary ?? "")}
            onChange={(e) => edit([["summary"], e.target.value])}
            className={inputClass}
          />
        )}
      </Row>

      <fieldset>
        <legend className="text-sm font-medium text-slate-800">Objectives (3 to 6)</legend>
        <p className="mt-1 text-xs text-slate-600">“You will be able to …”: what a learner can do after the course.</p>
        <ol className="mt-2 space-y-2">
          {objectives.map((objective, i) => (
            <li key={i} className="flex items-start gap-2">
              <label htmlFor={`${id}-objective-${i}`} className="sr-only">
                Objective {i + 1}
              </label>
              <span aria-hidden="true" className="mt-2 w-5 text-right text-sm text-slate-500">
                {i + 1}.
              </span>
              <textarea
                id={`${id}-objective-${i}`}
                rows={2}
                value={objective}
                aria-invalid={problemOf(`objectives.${i}`) ? true : undefined}
                onChange={(e) => edit([["objectives", i], e.target.value])}
                className={inputClass}
              />
              <button
                type="button"
                disabled={objectives.length <= 3}
                onClick={() => edit([["objectives"], objectives.filter((_, j) => j !== i)])}
                className="mt-2 text-sm text-red-700 underline underline-offset-2 disabled:text-slate-400 disabled:no-underline"
              >
                Remove<span className="sr-only"> objective {i + 1}</span>
              </button>
            </li>
          ))}
        </ol>
        <button
          type="button"
          disabled={objectives.length >= 6}
          onClick={() => edit([["objectives"], [...objectives, "You will be able to "]])}
          className="mt-2 text-sm font-medium text-brand-700 underline-offset-2 hover:underline disabled:text-slate-400"
        >
          + Add an objective
        </button>
        {problemOf("objectives") && <p className="mt-1 text-sm text-red-700">{problemOf("objectives")}</p>}
      </fieldset>

      <div className="grid gap-4 sm:grid-cols-2">
        <Row
          id={`${id}-validity`}
          label="Validity"
          error={problemOf("validityMonths")}
          hint="How long a certification stays current."
        >
          {(props) => (
            <select
              {...props}
              value={String(settings.validityMonths ?? "")}
              onChange={(e) => edit([["validityMonths"], Number(e.target.value)])}
              className={inputClass}
            >
              {![12, 24].includes(Number(settings.validityMonths)) && <option value="">Choose…</option>}
              <option value="12">12 months</option>
              <option value="24">24 months</option>
            </select>
          )}
        </Row>
        {!playsPackage && (
        <Row
          id={`${id}-reveal`}
          label="Reveal answers"
          error={problemOf("revealAnswers")}
          hint="When a graded attempt shows the correct options."
        >
          {(props) => (
            <select
              {...props}
              value={String(settings.revealAnswers ?? "after_pass")}
              onChange={(e) => edit([["revealAnswers"], e.target.value])}
              className={inputClass}
            >
              {REVEAL.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label}
                </option>
              ))}
            </select>
          )}
        </Row>
        )}
        {NUMBERS.filter((n) => !(playsPackage && n.quiz)).map((n) => (
          <Row
            key={n.key}
            id={`${id}-${n.key}`}
            label={n.label}
            error={problemOf(n.key)}
            hint={`${n.hint} ${n.min}–${n.max}.`}
          >
            {(props) => (
              <input
                {...props}
                type="number"
                inputMode="numeric"
                min={n.min}
                max={n.max}
                step={1}
                value={typeof settings[n.key] === "number" ? String(settings[n.key]) : ""}
                onChange={(e) => edit([[n.key], e.target.value === "" ? null : Number(e.target.value)])}
                className={inputClass}
              />
            )}
          </Row>
        ))}
      </div>
      <p className="text-xs text-slate-600">The version ({String(settings.version ?? "—")}) is set when you publish.</p>

      <AudienceFields
        id={id}
        audience={audience}
        error={problemOf("assignTo")}
        onChange={(rule) => edit([["assignTo"], rule])}
      />
    </div>
  );
}
