"use client";

import { useEffect, useId, useState, type ReactNode } from "react";

import { Alert, inputClass } from "@/components/ui/field";
import { ACCESS_ROLE_IDS, appRoles, DEPARTMENT_IDS, MAX_NAMED_PEOPLE } from "@/lib/content/audience-ids";
import type { ContentProblem } from "@/lib/content/load";

import { previewAudience } from "../../../actions";
import { editYaml, readYaml, type YamlPath } from "./yaml-item";

type Settings = Record<string, unknown>;
type Audience = {
  everyone?: boolean;
  departments?: string[];
  appRoles?: string[];
  accessRoles?: string[];
  people?: string[];
  from?: string;
  until?: string;
};

/** The number settings of course.yaml, with the limits of courseMetaSchema (lib/content/schemas.ts). */
const NUMBERS: { key: string; label: string; min: number; max: number; hint: string }[] = [
  {
    key: "passMark",
    label: "Pass mark (%)",
    min: 50,
    max: 100,
    hint: "Percent of the drawn questions answered right to pass.",
  },
  {
    key: "questionsPerAttempt",
    label: "Questions per attempt",
    min: 1,
    max: 50,
    hint: "Drawn from the question bank for each attempt.",
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
const humanise = (id: string) =>
  (id.charAt(0).toUpperCase() + id.slice(1)).replace(/[_-]/g, " ").replace(/\bpii\b/g, "PII");
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => String(x ?? "")) : []);

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
        {NUMBERS.map((n) => (
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

type ControlProps = { id: string; "aria-describedby"?: string; "aria-invalid"?: boolean };

function Row({
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
  children: (props: ControlProps) => ReactNode;
}) {
  const describedBy = [error && `${id}-error`, hint && `${id}-hint`].filter(Boolean).join(" ") || undefined;
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <div className="mt-1">
        {children({ id, "aria-describedby": describedBy, "aria-invalid": error ? true : undefined })}
      </div>
      {hint && (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-600">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="mt-1 text-sm text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}

const GROUPS = [
  { key: "departments", legend: "Departments", values: DEPARTMENT_IDS as readonly string[] },
  { key: "appRoles", legend: "App roles", values: appRoles as readonly string[] },
  { key: "accessRoles", legend: "Data-access roles", values: ACCESS_ROLE_IDS as readonly string[] },
] as const;

function AudienceFields({
  id,
  audience,
  error,
  onChange,
}: {
  id: string;
  audience: Audience;
  error?: string;
  onChange: (rule: Audience) => void;
}) {
  // Ticking a group, naming people or setting dates keeps the rest of the rule; "Everyone" keeps only the dates.
  const dates = (rule: Audience): Audience => ({
    ...rule,
    ...(audience.from ? { from: audience.from } : {}),
    ...(audience.until ? { until: audience.until } : {}),
  });
  function toggle(key: (typeof GROUPS)[number]["key"], value: string, on: boolean) {
    const current = strings(audience[key]);
    const next = on ? [...current.filter((v) => v !== value), value] : current.filter((v) => v !== value);
    const rule: Audience = { ...audience };
    delete rule.everyone;
    if (next.length) rule[key] = next;
    else delete rule[key];
    onChange(rule);
  }
  function setPeople(text: string) {
    const rule: Audience = { ...audience };
    delete rule.everyone;
    const named = text
      .split(/[\s,;]+/)
      .map((e) => e.trim())
      .filter(Boolean);
    if (named.length) rule.people = named;
    else delete rule.people;
    onChange(rule);
  }
  function setDate(key: "from" | "until", value: string) {
    const rule: Audience = { ...audience };
    if (value) rule[key] = value;
    else delete rule[key];
    onChange(rule);
  }
  const everyone = audience.everyone === true;
  return (
    <fieldset className="rounded-md border border-slate-200 p-4">
      <legend className="px-1 text-sm font-medium text-slate-800">Who is assigned the course</legend>
      <label className="flex items-center gap-2 text-sm">
        <input
          type="checkbox"
          checked={everyone}
          onChange={(e) => onChange(dates(e.target.checked ? { everyone: true } : {}))}
        />
        Everyone
      </label>
      <p className="mt-1 text-xs text-slate-600">
        Or anyone in one of the departments, app roles or data-access roles ticked below, and anyone named.
      </p>
      <div className="mt-3 grid gap-4 sm:grid-cols-3">
        {GROUPS.map((group) => (
          <fieldset key={group.key} disabled={everyone}>
            <legend className="text-sm font-medium text-slate-700">{group.legend}</legend>
            <div className="mt-1 space-y-1">
              {group.values.map((value) => (
                <label key={value} className="flex items-center gap-2 text-sm text-slate-800">
                  <input
                    type="checkbox"
                    checked={strings(audience[group.key]).includes(value)}
                    onChange={(e) => toggle(group.key, value, e.target.checked)}
                  />
                  {humanise(value)}
                </label>
              ))}
            </div>
          </fieldset>
        ))}
      </div>
      <div className="mt-4">
        <Row
          id={`${id}-people`}
          label="Named people"
          hint={`E-mail addresses as in Clearance, one per line (at most ${MAX_NAMED_PEOPLE}). For more, use a department or role.`}
        >
          {(props) => (
            <NamedPeople {...props} disabled={everyone} value={strings(audience.people)} onChange={setPeople} />
          )}
        </Row>
      </div>
      <div className="mt-4 grid gap-4 sm:grid-cols-2">
        <Row id={`${id}-from`} label="Applies from (optional)" hint="Nobody is assigned before this day.">
          {(props) => (
            <input
              {...props}
              type="date"
              value={audience.from ?? ""}
              onChange={(e) => setDate("from", e.target.value)}
              className={inputClass}
            />
          )}
        </Row>
        <Row
          id={`${id}-until`}
          label="Applies until (optional)"
          hint="Its last day: after it nobody new is assigned, and it no longer counts as required."
        >
          {(props) => (
            <input
              {...props}
              type="date"
              value={audience.until ?? ""}
              min={audience.from}
              onChange={(e) => setDate("until", e.target.value)}
              className={inputClass}
            />
          )}
        </Row>
      </div>
      {error && (
        <p id={`${id}-audience-error`} className="mt-2 text-sm text-red-700">
          {error}
        </p>
      )}
      <AudiencePreview audience={audience} />
    </fieldset>
  );
}

/**
 * The named people as typed: the rule is updated as the text changes, but the
 * text itself is kept while it has focus, so separators being typed stay put.
 */
function NamedPeople({
  value,
  onChange,
  ...props
}: ControlProps & { disabled: boolean; value: string[]; onChange: (text: string) => void }) {
  const [draft, setDraft] = useState<string | null>(null);
  return (
    <textarea
      {...props}
      rows={3}
      spellCheck={false}
      autoComplete="off"
      value={draft ?? value.join("\n")}
      onFocus={() => setDraft(value.join("\n"))}
      onBlur={() => setDraft(null)}
      onChange={(e) => {
        setDraft(e.target.value);
        onChange(e.target.value);
      }}
      className={`${inputClass} font-mono text-xs`}
    />
  );
}

/** Today in UTC, as the audience's dates are written. */
const today = () => new Date().toISOString().slice(0, 10);

/** "Who will be assigned": the people the audience as edited covers today, asked of the server after a pause. */
function AudiencePreview({ audience }: { audience: Audience }) {
  const rule = JSON.stringify(audience);
  const [result, setResult] = useState<
    | { rule: string; count: number; names: string[]; unknown: string[]; inForce: boolean }
    | { rule: string; error: string }
    | null
  >(null);
  useEffect(() => {
    let current = true;
    const timer = setTimeout(async () => {
      const form = new FormData();
      form.set("rule", rule);
      const state = await previewAudience(null, form);
      if (!current || !state) return;
      if (state.ok && state.data) setResult({ rule, ...state.data });
      else if (!state.ok) setResult({ rule, error: state.fieldErrors?.rule?.[0] ?? state.error });
    }, 400);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [rule]);
  const fresh = result?.rule === rule ? result : null;
  return (
    <div role="status" className="mt-4 rounded-md bg-slate-50 p-3 text-sm text-slate-800">
      {!fresh ? (
        <p className="text-slate-600">Counting who will be assigned…</p>
      ) : "error" in fresh ? (
        <p>
          Who will be assigned: nobody yet (
          {fresh.error.startsWith("must name")
            ? fresh.error.replace(/^must/, "the audience must")
            : `check the audience: ${fresh.error}`}
          ).
        </p>
      ) : (
        <>
          <p className="font-medium">
            Who will be assigned: {fresh.count} {fresh.count === 1 ? "person" : "people"}
          </p>
          {fresh.names.length > 0 && (
            <p className="mt-1 text-slate-700">
              {fresh.names.join(", ")}
              {fresh.count > fresh.names.length && ` and ${fresh.count - fresh.names.length} more`}
            </p>
          )}
          {!fresh.inForce && (
            <p className="mt-1 text-slate-700">
              {audience.until && audience.until < today()
                ? `Its last day was ${audience.until}: nobody is assigned now.`
                : `Counted as people stand today; nobody is assigned before ${audience.from}.`}
            </p>
          )}
          {fresh.unknown.length > 0 && (
            <p className="mt-1 text-amber-800">
              No active person has {fresh.unknown.length === 1 ? "the address" : "the addresses"}{" "}
              {fresh.unknown.join(", ")}: check the spelling.
            </p>
          )}
        </>
      )}
    </div>
  );
}
