"use client";

import Link from "next/link";
import { useActionState } from "react";

import { Button } from "@/components/ui/button";
import { Alert, Field } from "@/components/ui/field";

import { requestReset } from "./actions";

export function ForgotPasswordForm() {
  const [state, formAction, pending] = useActionState(requestReset, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  if (state?.ok) {
    return (
      <div className="mt-6 space-y-4">
        <Alert tone="success">{state.message}</Alert>
        <Link href="/signin" className="text-sm font-medium text-brand-700 underline underline-offset-2">
          Back to sign-in
        </Link>
      </div>
    );
  }
  return (
    <form action={formAction} className="mt-6 space-y-4" noValidate>
      {state && !state.ok && !errors && <Alert>{state.error}</Alert>}
      <Field label="Email" name="email" type="email" autoComplete="username" required error={errors?.email?.[0]} />
      <Button type="submit" disabled={pending} className="w-full">
        {pending ? "Sending…" : "Send me a link"}
      </Button>
      <p className="text-sm">
        <Link href="/signin" className="font-medium text-brand-700 underline underline-offset-2">
          Back to sign-in
        </Link>
      </p>
    </form>
  );
}
