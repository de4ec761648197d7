"use client";

import { useActionState, useState, type ReactNode } from "react";

import { Button } from "@/components/ui/button";
import { Alert, Field, inputClass } from "@/components/ui/field";
import type { ActionState } from "@/lib/http/action";

/**
 * What the OpenID Connect and SAML provider forms share: the state of a
 * form that keeps what was typed, and the fields every provider has (name,
 * URL name, domains, people and second factor, claim or attribute mapping).
 */

type SaveAction = (state: ActionState, formData: FormData) => Promise<ActionState>;
export type FieldErrors = Record<string, string[] | undefined> | undefined;
/** The fields every provider form has, as the page fills them in. */
export type CommonProviderValues = {
  id?: string;
  name: string;
  slug: string;
  allowedDomains: string;
  jitProvisioning: boolean;
  acceptIdpMfa: boolean;
  departmentClaim: string;
  managerClaim: string;
  titleClaim: string;
};

/** The common fields as submitted. */
export function readCommonValues(formData: FormData): Omit<CommonProviderValues, "id"> {
  const text = (name: string) => String(formData.get(name) ?? "");
  return {
    name: text("name"),
    slug: text("slug"),
    allowedDomains: text("allowedDomains"),
    jitProvisioning: formData.get("jitProvisioning") === "on",
    acceptIdpMfa: formData.get("acceptIdpMfa") === "on",
    departmentClaim: text("departmentClaim"),
    managerClaim: text("managerClaim"),
    titleClaim: text("titleClaim"),
  };
}

/**
 * A provider form's state. React resets a form after each submission: what
 * was typed comes back as the defaults (never a secret), except after a
 * provider was added, when the form starts empty again.
 */
export function useProviderForm<V extends { id?: string }>(
  kind: "oidc" | "saml",
  save: SaveAction,
  saved: V,
  read: (formData: FormData, saved: V) => V,
) {
  const [state, formAction, pending] = useActionState(save, null);
  const [typed, setTyped] = useState<V | null>(null);
  const values = typed && !(state?.ok && !saved.id) ? typed : saved;
  const submit = (formData: FormData) => {
    setTyped(read(formData, saved));
    formAction(formData);
  };
  // Field ids are unique on the page, which holds a form per provider and one to add each kind.
  const prefix = values.id ? `p-${values.id.slice(0, 8)}-` : `new-${kind}-`;
  const errors: FieldErrors = state && !state.ok ? state.fieldErrors : undefined;
  return { state, pending, values, submit, errors, id: (name: string) => `${prefix}${name}` };
}

/** The form around a provider's fields: its messages, the hidden id and the submit button. */
export function ProviderFormShell({
  label,
  state,
  pending,
  values,
  submit,
  children,
}: {
  label: string;
  state: ActionState;
  pending: boolean;
  values: { id?: string };
  submit: (formData: FormData) => void;
  children: ReactNode;
}) {
  return (
    <form action={submit} className="grid gap-4" aria-label={label}>
      {state && !state.ok && <Alert>{state.error}</Alert>}
      {state?.ok && <Alert tone="success">{state.message}</Alert>}
      {values.id && <input type="hidden" name="id" value={values.id} />}
      {children}
      <div>
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : values.id ? "Save provider" : "Add provider"}
        </Button>
      </div>
    </form>
  );
}

type FieldsProps = { values: CommonProviderValues; errors: FieldErrors; id: (name: string) => string };

/** Name on the button and URL name; `slugHint` shows where the URL name appears. */
export function NameFields({ values, errors, id, slugHint }: FieldsProps & { slugHint: string }) {
  return (
    <>
      <Field
        id={id("name")}
        label="Name on the sign-in button"
        name="name"
        required
        defaultValue={values.name}
        placeholder="Okta"
        error={errors?.name?.[0]}
      />
      <Field
        id={id("slug")}
        label="URL name"
        name="slug"
        required
        defaultValue={values.slug}
        placeholder="okta"
        hint={slugHint}
        error={errors?.slug?.[0]}
      />
    </>
  );
}

export function AllowedDomainsField({ values, errors, id }: FieldsProps) {
  return (
    <Field
      id={id("allowedDomains")}
      label="Allowed email domains"
      name="allowedDomains"
      defaultValue={values.allowedDomains}
      placeholder="example.com, example.co.uk"
      hint="Only addresses in these domains may sign in through this provider."
      error={errors?.allowedDomains?.[0]}
    />
  );
}

/** A checkbox with its label and an explanation under it. */
export function CheckboxField({
  name,
  label,
  explanation,
  defaultChecked,
}: {
  name: string;
  label: ReactNode;
  explanation: ReactNode;
  defaultChecked: boolean;
}) {
  return (
    <label className="flex items-start gap-2 text-sm">
      <input type="checkbox" name={name} defaultChecked={defaultChecked} className="mt-1" />
      <span>
        {label}
        <span className="block text-slate-600">{explanation}</span>
      </span>
    </label>
  );
}

/** Just-in-time accounts and the provider's MFA; `mfaExplanation` says how this kind reports MFA. */
export function PeopleFields({
  values,
  mfaExplanation,
  children,
}: {
  values: CommonProviderValues;
  mfaExplanation: string;
  children?: ReactNode;
}) {
  return (
    <fieldset className="grid gap-3 rounded-md border border-slate-200 p-4">
      <legend className="px-1 text-sm font-medium text-slate-800">People and second factor</legend>
      <CheckboxField
        name="jitProvisioning"
        defaultChecked={values.jitProvisioning}
        label="Create an account at first sign-in"
        explanation="For a verified address in an allowed domain with no account yet: an employee, in the mapped department."
      />
      <CheckboxField
        name="acceptIdpMfa"
        defaultChecked={values.acceptIdpMfa}
        label={<>Accept this provider&rsquo;s MFA for managers, compliance admins and auditors</>}
        explanation={mfaExplanation}
      />
      {children}
    </fieldset>
  );
}

/** Department, manager and job title, from a claim (OIDC) or attribute (SAML) of that name. */
export function MappingFields({
  values,
  errors,
  id,
  noun,
  children,
}: FieldsProps & { noun: "claim" | "attribute"; children?: ReactNode }) {
  return (
    <fieldset className="grid gap-4 rounded-md border border-slate-200 p-4 sm:grid-cols-3">
      <legend className="px-1 text-sm font-medium text-slate-800">
        {noun === "claim" ? "Claim mapping (optional)" : "Attribute mapping"}
      </legend>
      {children}
      <Field
        id={id("departmentClaim")}
        label={`Department ${noun}`}
        name="departmentClaim"
        defaultValue={values.departmentClaim}
        hint="Matched to a department's id or name."
        error={errors?.departmentClaim?.[0]}
      />
      <Field
        id={id("managerClaim")}
        label={`Manager ${noun}`}
        name="managerClaim"
        defaultValue={values.managerClaim}
        hint="The manager's email address."
        error={errors?.managerClaim?.[0]}
      />
      <Field
        id={id("titleClaim")}
        label={`Job title ${noun}`}
        name="titleClaim"
        defaultValue={values.titleClaim}
        error={errors?.titleClaim?.[0]}
      />
    </fieldset>
  );
}

/** A multi-line text field, labelled and described like `Field`. */
export function TextAreaField({
  id,
  name,
  label,
  hint,
  error,
  defaultValue,
  rows = 6,
  placeholder,
}: {
  id: string;
  name: string;
  label: string;
  hint?: string;
  error?: string;
  defaultValue: string;
  rows?: number;
  placeholder?: string;
}) {
  const describedBy = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <textarea
        id={id}
        name={name}
        rows={rows}
        defaultValue={defaultValue}
        placeholder={placeholder}
        spellCheck={false}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        className={`mt-1 font-mono text-xs ${inputClass}`}
      />
      {hint && !error && (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
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
