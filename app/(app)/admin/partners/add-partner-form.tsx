"use client";

import { useActionState } from "react";

import { Button } from "@/components/ui/button";
import { Alert, Field } from "@/components/ui/field";

import { addPartner } from "./actions";

export function AddPartnerForm({ agreements }: { agreements: { id: string; title: string }[] }) {
  const [state, formAction, pending] = useActionState(addPartner, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  return (
    <form action={formAction} className="grid gap-4 sm:grid-cols-3">
      {state && (
        <div className="sm:col-span-3">
          {state.ok ? <Alert tone="success">{state.message}</Alert> : <Alert>{state.error}</Alert>}
        </div>
      )}
      <Field label="Organisation" name="name" required error={errors?.name?.[0]} />
      <Field label="Contact's full name" name="contactName" required error={errors?.contactName?.[0]} />
      <Field label="Contact's email" name="contactEmail" type="email" required error={errors?.contactEmail?.[0]} />
      <fieldset className="sm:col-span-2">
        <legend className="text-sm font-medium text-slate-800">Agreements required</legend>
        <div className="mt-2 flex flex-wrap gap-4">
          {agreements.map((a) => (
            <label key={a.id} className="flex items-center gap-2 text-sm">
              <input type="checkbox" name="requiredAgreements" value={a.id} defaultChecked />
              {a.title}
            </label>
          ))}
        </div>
        {errors?.requiredAgreements && <p className="mt-1 text-sm text-red-700">{errors.requiredAgreements[0]}</p>}
      </fieldset>
      <div className="flex items-end">
        <Button type="submit" disabled={pending}>
          {pending ? "Adding…" : "Add partner"}
        </Button>
      </div>
    </form>
  );
}
