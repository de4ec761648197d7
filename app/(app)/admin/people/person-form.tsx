"use client";

import Link from "next/link";
import { useActionState, useState } from "react";

import { Button } from "@/components/ui/button";
import { Alert, Field, inputClass } from "@/components/ui/field";
import type { AppRole } from "@/db/schema";

import { addPerson, savePerson } from "./actions";

export type PersonFormValues = {
  name: string;
  email: string;
  departmentId: string | null;
  title: string | null;
  managerEmail: string | null;
  hireDate: string | null;
  roles: AppRole[];
};

type Props = {
  /** Absent when adding someone. */
  personId?: string;
  values?: PersonFormValues;
  departments: { id: string; name: string }[];
  managers: { email: string; name: string }[];
};

const ROLE_LABELS: Record<Exclude<AppRole, "employee">, string> = {
  manager: "Manager",
  compliance_admin: "Compliance admin",
  auditor: "Auditor",
};
const EXTRA_ROLES = Object.keys(ROLE_LABELS) as (keyof typeof ROLE_LABELS)[];

/** Add or edit a person; every field's message appears beside it. */
export function PersonForm({ personId, values, departments, managers }: Props) {
  const [state, formAction, pending] = useActionState(personId ? savePerson : addPerson, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  // React resets the form after each submission; what was typed comes back as the defaults.
  const [typed, setTyped] = useState<PersonFormValues | null>(null);
  const shown = typed ?? values;
  const submit = (formData: FormData) => {
    const text = (name: string) => String(formData.get(name) ?? "");
    setTyped({
      name: text("name"),
      email: text("email"),
      departmentId: text("departmentId") || null,
      title: text("title") || null,
      managerEmail: text("managerEmail") || null,
      hireDate: text("hireDate") || null,
      roles: formData.getAll("roles").map(String) as AppRole[],
    });
    formAction(formData);
  };
  return (
    <form action={submit} className="grid gap-5 sm:grid-cols-2" noValidate>
      {personId && <input type="hidden" name="personId" value={personId} />}
      {state && (
        <div className="sm:col-span-2">
          {state.ok ? <Alert tone="success">{state.message}</Alert> : <Alert>{state.error}</Alert>}
        </div>
      )}
      <Field
        label="Full name"
        name="name"
        autoComplete="off"
        required
        defaultValue={shown?.name}
        error={errors?.name?.[0]}
        hint="As on their legal documents: agreements are signed with it."
      />
      <Field
        label="Work email"
        name="email"
        type="email"
        autoComplete="off"
        required
        defaultValue={shown?.email}
        error={errors?.email?.[0]}
        hint="They sign in with it."
      />
      <div>
        <label htmlFor="field-departmentId" className="block text-sm font-medium text-slate-800">
          Department
        </label>
        <select
          id="field-departmentId"
          name="departmentId"
          defaultValue={shown?.departmentId ?? ""}
          aria-invalid={errors?.departmentId ? true : undefined}
          aria-describedby={errors?.departmentId ? "field-departmentId-error" : undefined}
          className={`mt-1 ${inputClass}`}
        >
          <option value="">No department</option>
          {departments.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
        {errors?.departmentId && (
          <p id="field-departmentId-error" className="mt-1 text-sm text-red-700">
            {errors.departmentId[0]}
          </p>
        )}
      </div>
      <Field
        label="Job title"
        name="title"
        autoComplete="off"
        defaultValue={shown?.title ?? ""}
        error={errors?.title?.[0]}
      />
      <Field
        label="Manager's email"
        name="managerEmail"
        type="email"
        autoComplete="off"
        list="manager-options"
        defaultValue={shown?.managerEmail ?? ""}
        error={errors?.managerEmail?.[0]}
        hint="Leave empty if they have no manager in Clearance."
      />
      <datalist id="manager-options">
        {managers.map((m) => (
          <option key={m.email} value={m.email}>
            {m.name}
          </option>
        ))}
      </datalist>
      <Field
        label="Hire date"
        name="hireDate"
        type="date"
        defaultValue={shown?.hireDate ?? ""}
        error={errors?.hireDate?.[0]}
        hint="Training is due from this date."
      />
      <fieldset className="sm:col-span-2" aria-describedby={errors?.roles ? "field-roles-error" : "field-roles-hint"}>
        <legend className="text-sm font-medium text-slate-800">Roles</legend>
        <p id="field-roles-hint" className="mt-1 text-xs text-slate-500">
          Everyone is an employee. Managers, compliance admins and auditors must use two-factor authentication.
        </p>
        <div className="mt-2 flex flex-wrap gap-5">
          {EXTRA_ROLES.map((role) => (
            <label key={role} className="flex items-center gap-2 text-sm text-slate-800">
              <input
                type="checkbox"
                name="roles"
                value={role}
                defaultChecked={shown?.roles.includes(role)}
                className="rounded border-slate-300"
              />
              {ROLE_LABELS[role]}
            </label>
          ))}
        </div>
        {errors?.roles && (
          <p id="field-roles-error" className="mt-1 text-sm text-red-700">
            {errors.roles[0]}
          </p>
        )}
      </fieldset>
      <div className="flex items-center gap-3 sm:col-span-2">
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : personId ? "Save changes" : "Add person and send invitation"}
        </Button>
        <Link href="/admin/people" className="text-sm font-medium text-slate-700 underline underline-offset-2">
          Cancel
        </Link>
      </div>
    </form>
  );
}
