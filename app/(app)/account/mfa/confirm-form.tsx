"use client";

import { useActionState } from "react";
import { Button, buttonClass } from "@/components/ui/button";
import { Alert, Field } from "@/components/ui/field";
import { confirmMfa } from "./actions";

export function ConfirmMfaForm() {
  const [state, formAction, pending] = useActionState(confirmMfa, null);
  if (state?.ok && Array.isArray(state.data)) {
    return (
      <div className="space-y-4">
        <Alert tone="success">Two-factor authentication is on.</Alert>
        <div>
          <h2 className="font-semibold text-slate-900">Your recovery codes</h2>
          <p className="mt-1 text-sm text-slate-600">
            Each code signs you in once if you lose your phone. Store them somewhere safe now: they will not be shown again.
          </p>
          <ul aria-label="Recovery codes" className="mt-3 grid grid-cols-2 gap-2 rounded-lg bg-slate-50 p-4 font-mono text-sm">
            {state.data.map((code) => (
              <li key={code}>{code}</li>
            ))}
          </ul>
        </div>
        {/* A full page load, so the menu (which depends on MFA being on) renders afresh. */}
        <a href="/dashboard" className={buttonClass("primary")}>
          I have saved my codes — continue
        </a>
      </div>
    );
  }
  return (
    <form action={formAction} className="space-y-4">
      {state && !state.ok && <Alert>{state.error}</Alert>}
      <Field
        label="6-digit code from your app"
        name="code"
        inputMode="numeric"
        autoComplete="one-time-code"
        maxLength={6}
        required
        error={state && !state.ok ? state.fieldErrors?.code?.[0] : undefined}
      />
      <Button type="submit" disabled={pending}>
        {pending ? "Checking…" : "Turn on two-factor authentication"}
      </Button>
    </form>
  );
}
