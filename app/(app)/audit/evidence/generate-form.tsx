"use client";

import { useActionState } from "react";

import { Button } from "@/components/ui/button";
import { Alert, Field, inputClass } from "@/components/ui/field";

import { generatePack } from "./actions";

/** Period, scope and overdue allowance; "Generate" queues the pack, which then shows in the list below. */
export function GenerateForm({
  defaults,
  departments,
}: {
  defaults: { from: string; to: string };
  departments: { id: string; name: string }[];
}) {
  const [state, formAction, pending] = useActionState(generatePack, null);
  const errors = state && !state.ok ? (state.fieldErrors ?? {}) : {};
  const departmentError = errors.department?.[0];
  return (
    <form action={formAction} className="space-y-4" aria-label="Evidence pack">
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <Field
          label="From (UTC)"
          name="from"
          type="date"
          required
          defaultValue={defaults.from}
          error={errors.from?.[0]}
        />
        <Field
          label="To (UTC, included)"
          name="to"
          type="date"
          required
          defaultValue={defaults.to}
          error={errors.to?.[0]}
        />
        <div>
          <label htmlFor="field-department" className="block text-sm font-medium text-slate-800">
            Scope
          </label>
          <select
            id="field-department"
            name="department"
            defaultValue=""
            aria-invalid={departmentError ? true : undefined}
            aria-describedby={departmentError ? "field-department-error" : undefined}
            className={`mt-1 ${inputClass}`}
          >
            <option value="">Whole organisation</option>
            {departments.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
          {departmentError && (
            <p id="field-department-error" className="mt-1 text-sm text-red-700">
              {departmentError}
            </p>
          )}
        </div>
        <Field
          label="Overdue after (days)"
          name="overdueDays"
          type="number"
          min={0}
          max={3650}
          defaultValue={30}
          error={errors.overdueDays?.[0]}
          hint="Days past due before an assignment counts as an exception."
        />
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" disabled={pending}>
          {pending ? "Starting…" : "Generate"}
        </Button>
        {state && !state.ok && !state.fieldErrors && <Alert>{state.error}</Alert>}
        {state?.ok && <Alert tone="success">{state.message}</Alert>}
      </div>
    </form>
  );
}
