"use client";

import { useActionState } from "react";

import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Alert, Field } from "@/components/ui/field";

import { changePassword } from "./actions";

/** "Change password" on /account: the current password and, when enrolled, an authenticator code. */
export function ChangePasswordCard({ mfaEnabled, minLength }: { mfaEnabled: boolean; minLength: number }) {
  const [state, formAction, pending] = useActionState(changePassword, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  return (
    <Card title="Change password">
      <form action={formAction} className="space-y-4" noValidate>
        {state?.ok && <Alert tone="success">{state.message}</Alert>}
        {state && !state.ok && !errors && <Alert>{state.error}</Alert>}
        <Field
          label="Current password"
          name="current"
          type="password"
          autoComplete="current-password"
          required
          error={errors?.current?.[0]}
        />
        <Field
          label="New password"
          name="next"
          type="password"
          autoComplete="new-password"
          required
          minLength={minLength}
          error={errors?.next?.[0]}
          hint={`At least ${minLength} characters. A few unrelated words make a strong password. Passwords found in public breaches are refused.`}
        />
        <Field
          label="Type the new password again"
          name="confirm"
          type="password"
          autoComplete="new-password"
          required
          error={errors?.confirm?.[0]}
        />
        {mfaEnabled && (
          <Field
            label="Code from your authenticator app"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            required
            error={errors?.code?.[0]}
          />
        )}
        <p className="text-xs text-slate-500">
          Changing your password signs out every other device signed in to your account.
        </p>
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : "Change password"}
        </Button>
      </form>
    </Card>
  );
}
