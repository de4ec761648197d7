"use client";

import { useActionState } from "react";

import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/field";

import { saveEmailCadence } from "./actions";

export type CadenceOption = { value: string; label: string };

/** How often routine notifications arrive; the security note sits next to the choice on purpose. */
export function EmailCadenceForm({
  options,
  current,
  name = "cadence",
  action = saveEmailCadence,
  legend,
  note,
}: {
  options: CadenceOption[];
  current: string;
  name?: string;
  action?: typeof saveEmailCadence;
  legend: string;
  note: string;
}) {
  const [state, formAction, pending] = useActionState(action, null);
  return (
    <form action={formAction} className="space-y-4">
      {state && (state.ok ? <Alert tone="success">{state.message}</Alert> : <Alert>{state.error}</Alert>)}
      <fieldset>
        <legend className="text-sm font-medium text-slate-800">{legend}</legend>
        <div className="mt-2 space-y-2 text-sm">
          {options.map((o) => (
            <label key={o.value} className="flex items-center gap-2">
              <input type="radio" name={name} value={o.value} defaultChecked={current === o.value} /> {o.label}
            </label>
          ))}
        </div>
        <p className="mt-2 text-xs text-slate-600">{note}</p>
      </fieldset>
      <Button type="submit" variant="secondary" disabled={pending}>
        {pending ? "Saving…" : "Save"}
      </Button>
    </form>
  );
}
