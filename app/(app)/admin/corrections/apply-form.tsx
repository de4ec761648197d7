"use client";

import { useActionState } from "react";

import { Button } from "@/components/ui/button";
import { Alert, Field, inputClass } from "@/components/ui/field";

import { apply } from "./actions";

type Props = {
  id: string;
  label: string;
  current: string;
  proposed: string;
  /** Given for the department: the value is chosen from these rather than typed. */
  departments?: { id: string; name: string }[];
};

/** The reviewer sees the current value, edits the proposed one, and applies it: the record and the request change together. */
export function ApplyForm({ id, label, current, proposed, departments }: Props) {
  const [state, formAction, pending] = useActionState(apply, null);
  if (state?.ok) return <Alert tone="success">{state.message}</Alert>;
  const valueError = state && !state.ok ? state.fieldErrors?.value?.[0] : undefined;
  const valueId = `value-${id}`;
  return (
    <form action={formAction} className="space-y-3 rounded-md border border-slate-200 p-3">
      <input type="hidden" name="id" value={id} />
      <p className="text-sm text-slate-700">
        Current {label.toLowerCase()}: <strong>{current || "none"}</strong>
      </p>
      {departments ? (
        <div>
          <label htmlFor={valueId} className="block text-sm font-medium text-slate-800">
            New {label.toLowerCase()}
          </label>
          <select
            id={valueId}
            name="value"
            defaultValue={proposed}
            aria-invalid={valueError ? true : undefined}
            aria-describedby={valueError ? `${valueId}-error` : undefined}
            className={`mt-1 ${inputClass}`}
          >
            <option value="">No department</option>
            {departments.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
          {valueError && (
            <p id={`${valueId}-error`} className="mt-1 text-sm text-red-700">
              {valueError}
            </p>
          )}
        </div>
      ) : (
        <Field
          id={valueId}
          name="value"
          label={`New ${label.toLowerCase()}`}
          defaultValue={proposed}
          maxLength={500}
          error={valueError}
        />
      )}
      <Field
        id={`apply-resolution-${id}`}
        name="resolution"
        label="Note to the person"
        maxLength={2000}
        hint="Kept with the request as the reason for the change."
      />
      <Button type="submit" disabled={pending}>
        Apply and resolve
      </Button>
      {state && !state.ok && !valueError && <Alert>{state.error}</Alert>}
    </form>
  );
}
