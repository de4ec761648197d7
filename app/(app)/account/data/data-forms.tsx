"use client";

import { useActionState } from "react";

import { Button } from "@/components/ui/button";
import { Alert, Field, inputClass } from "@/components/ui/field";

import { askForCorrection, savePreferences } from "./actions";

export function PreferencesForm({ managerSeesScores }: { managerSeesScores: boolean }) {
  const [state, formAction, pending] = useActionState(savePreferences, null);
  return (
    <form action={formAction} className="space-y-5">
      {state && (state.ok ? <Alert tone="success">{state.message}</Alert> : <Alert>{state.error}</Alert>)}
      <fieldset>
        <legend className="text-sm font-medium text-slate-800">What your manager sees of your quizzes</legend>
        <div className="mt-2 space-y-1 text-sm">
          <label className="flex items-center gap-2">
            <input type="radio" name="managerSeesScores" value="scores" defaultChecked={managerSeesScores} /> My scores
          </label>
          <label className="flex items-center gap-2">
            <input type="radio" name="managerSeesScores" value="pass_fail" defaultChecked={!managerSeesScores} /> Only
            whether I passed
          </label>
        </div>
        <p className="mt-1 text-xs text-slate-500">
          Compliance admins and auditors always see scores, as training evidence.
        </p>
      </fieldset>
      <Button type="submit" disabled={pending}>
        {pending ? "Saving…" : "Save preferences"}
      </Button>
    </form>
  );
}

export function CorrectionForm({ fields }: { fields: Record<string, string> }) {
  const [state, formAction, pending] = useActionState(askForCorrection, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  return (
    <form action={formAction} className="space-y-3">
      {state && (state.ok ? <Alert tone="success">{state.message}</Alert> : <Alert>{state.error}</Alert>)}
      <div>
        <label htmlFor="correction-field" className="block text-sm font-medium text-slate-800">
          What is wrong?
        </label>
        <select id="correction-field" name="field" className={`mt-1 ${inputClass}`}>
          {Object.entries(fields).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <Field
        label="What it should be"
        name="requestedValue"
        required
        maxLength={500}
        error={errors?.requestedValue?.[0]}
      />
      <div>
        <label htmlFor="correction-note" className="block text-sm font-medium text-slate-800">
          Anything else (optional)
        </label>
        <textarea id="correction-note" name="note" rows={2} maxLength={2000} className={`mt-1 ${inputClass}`} />
      </div>
      <Button type="submit" variant="secondary" disabled={pending}>
        {pending ? "Sending…" : "Ask for a correction"}
      </Button>
    </form>
  );
}
