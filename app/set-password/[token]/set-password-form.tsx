"use client";

import Link from "next/link";
import { useActionState } from "react";

import { Button } from "@/components/ui/button";
import { Alert, Field } from "@/components/ui/field";

import { choosePassword } from "./actions";

export function SetPasswordForm({ token, email, minLength }: { token: string; email: string; minLength: number }) {
  const [state, formAction, pending] = useActionState(choosePassword, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  if (state?.ok) {
    return (
      <div className="mt-6 space-y-4">
        <Alert tone="success">
          Your password is set. Sign in with {state.data?.email ?? email} and your new password.
        </Alert>
        <Link
          href="/signin"
          className="inline-flex rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700"
        >
          Sign in
        </Link>
      </div>
    );
  }
  return (
    <form action={formAction} className="mt-6 space-y-4" noValidate>
      <input type="hidden" name="token" value={token} />
      {/* Lets password managers save the new password against the right account. */}
      <input type="email" name="username" value={email} autoComplete="username" readOnly hidden />
      {state && !state.ok && !errors && <Alert>{state.error}</Alert>}
      <Field
        label="New password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        minLength={minLength}
        error={errors?.password?.[0]}
        hint={`At least ${minLength} characters. A few unrelated words make a strong password that is easy to type. Passwords found in public breaches are refused.`}
      />
      <Field
        label="Type it again"
        name="confirm"
        type="password"
        autoComplete="new-password"
        required
        error={errors?.confirm?.[0]}
      />
      <Button type="submit" disabled={pending} className="w-full">
        {pending ? "Saving…" : "Set password"}
      </Button>
    </form>
  );
}
