"use client";

import { useActionState, useState } from "react";

import { Button } from "@/components/ui/button";
import { Alert, Field } from "@/components/ui/field";

import { saveLrs } from "./actions";

export type LrsFormValues = { endpoint: string; username: string; actor: "account" | "mbox"; hasSecret: boolean };

type Check = { ok: boolean; message: string };

/** Connects the learning record store, or changes it; the secret is write-only. */
export function LrsForm({ saved }: { saved: LrsFormValues | null }) {
  const [state, formAction, pending] = useActionState(saveLrs, null);
  // What was typed survives a refusal (React resets a form after its action).
  const [typed, setTyped] = useState<Omit<LrsFormValues, "hasSecret"> | null>(null);
  const values = (state?.ok ? null : typed) ?? saved ?? { endpoint: "", username: "", actor: "account" as const };
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  const check = state?.ok ? (state.data as { check?: Check } | undefined)?.check : undefined;
  const submit = (formData: FormData) => {
    const text = (name: string) => String(formData.get(name) ?? "");
    setTyped({
      endpoint: text("endpoint"),
      username: text("username"),
      actor: text("actor") === "mbox" ? "mbox" : "account",
    });
    formAction(formData);
  };
  return (
    <form action={submit} className="grid gap-4" aria-label={saved ? "Change the connection" : "Connect a store"}>
      {state && !state.ok && <Alert>{state.error}</Alert>}
      {state?.ok && <Alert tone={check && !check.ok ? "info" : "success"}>{state.message}</Alert>}
      <Field
        label="xAPI endpoint"
        name="endpoint"
        id="lrs-endpoint"
        type="url"
        required
        defaultValue={values.endpoint}
        placeholder="https://lrs.example.com/xapi/"
        hint="The address your store gives for xAPI, ending before statements. https:// only, to a host on the public internet."
        error={errors?.endpoint?.[0]}
      />
      <div className="grid gap-4 sm:grid-cols-2">
        <Field
          label="Key"
          name="username"
          id="lrs-username"
          autoComplete="off"
          spellCheck={false}
          defaultValue={values.username}
          hint="The store's key or client id (sent as the HTTP Basic user name)."
          error={errors?.username?.[0]}
        />
        <Field
          label="Secret"
          name="password"
          id="lrs-password"
          type="password"
          autoComplete="new-password"
          hint={
            saved?.hasSecret
              ? "Leave blank to keep the stored secret (for the same host and key only)."
              : "Stored encrypted; it is never shown again."
          }
          error={errors?.password?.[0]}
        />
      </div>
      <fieldset>
        <legend className="text-sm font-medium text-slate-800">Name people in statements by</legend>
        <div className="mt-2 grid gap-2">
          <label className="flex items-start gap-2 text-sm">
            <input
              type="radio"
              name="actor"
              value="account"
              defaultChecked={values.actor === "account"}
              className="mt-1"
            />
            <span>
              Their Clearance account id <span className="text-slate-600">(no personal data leaves Clearance)</span>
            </span>
          </label>
          <label className="flex items-start gap-2 text-sm">
            <input type="radio" name="actor" value="mbox" defaultChecked={values.actor === "mbox"} className="mt-1" />
            <span>
              Their e-mail address <span className="text-slate-600">(when the store matches people by e-mail)</span>
            </span>
          </label>
        </div>
        {errors?.actor && <p className="mt-1 text-sm text-red-700">{errors.actor[0]}</p>}
      </fieldset>
      <div>
        <Button type="submit" disabled={pending}>
          {pending ? "Checking the store…" : saved ? "Save changes" : "Connect"}
        </Button>
      </div>
    </form>
  );
}
