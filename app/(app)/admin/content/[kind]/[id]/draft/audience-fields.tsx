"use client";

import { useEffect, useState } from "react";

import { inputClass } from "@/components/ui/field";
import { ACCESS_ROLE_IDS, appRoles, DEPARTMENT_IDS, MAX_NAMED_PEOPLE } from "@/lib/content/audience-ids";

import { previewAudience } from "../../../actions";
import { Row, strings, type ControlProps } from "./form-row";

export type Audience = {
  everyone?: boolean;
  departments?: string[];
  appRoles?: string[];
  accessRoles?: string[];
  people?: string[];
  from?: string;
  until?: string;
};

const humanise = (id: string) =>
  (id.charAt(0).toUpperCase() + id.slice(1)).replace(/[_-]/g, " ").replace(/\bpii\b/g, "PII");

const GROUPS = [
  { key: "departments", legend: "Departments", values: DEPARTMENT_IDS as readonly string[] },
  { key: "appRoles", legend: "App roles", values: appRoles as readonly string[] },
  { key: "accessRoles", legend: "Data-access roles", values: ACCESS_ROLE_IDS as readonly string[] },
] as const;

export function AudienceFields({
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
