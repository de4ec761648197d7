"use client";

import { startAuthentication } from "@simplewebauthn/browser";
import { useActionState, useRef, useState } from "react";

import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Alert, Field } from "@/components/ui/field";

import { changePassword, startPasskeyConfirmation } from "./actions";

/**
 * "Change password" on /account: the current password and, when the person has
 * a second factor, an authenticator code or one of their passkeys.
 */
export function ChangePasswordCard({
  hasTotp,
  hasPasskey,
  minLength,
}: {
  hasTotp: boolean;
  hasPasskey: boolean;
  minLength: number;
}) {
  const [state, formAction, pending] = useActionState(changePassword, null);
  const [prompting, setPrompting] = useState(false);
  const [promptError, setPromptError] = useState<string | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const passkeyField = useRef<HTMLInputElement>(null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  const busy = pending || prompting;

  /** Asks this browser's authenticator to answer a fresh challenge, then submits the form with the answer. */
  async function confirmWithPasskey() {
    setPromptError(null);
    setPrompting(true);
    try {
      const prompt = await startPasskeyConfirmation(null, new FormData());
      if (!prompt?.ok || typeof prompt.data !== "string") {
        setPromptError(!prompt || prompt.ok ? "Something went wrong. Please try again." : prompt.error);
        return;
      }
      const answer = await startAuthentication({ optionsJSON: JSON.parse(prompt.data) });
      passkeyField.current!.value = JSON.stringify(answer);
      form.current!.requestSubmit();
      passkeyField.current!.value = "";
    } catch {
      setPromptError("The passkey prompt was closed. Try again when you are ready.");
    } finally {
      setPrompting(false);
    }
  }

  return (
    <Card title="Change password">
      <form ref={form} action={formAction} className="space-y-4" noValidate>
        {state?.ok && <Alert tone="success">{state.message}</Alert>}
        {state && !state.ok && !errors && <Alert>{state.error}</Alert>}
        {(promptError || errors?.passkey?.[0]) && <Alert>{promptError ?? errors?.passkey?.[0]}</Alert>}
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
        {hasTotp && (
          <Field
            label="Code from your authenticator app"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            required={!hasPasskey}
            hint={hasPasskey ? "Or leave it empty and confirm with your passkey." : undefined}
            error={errors?.code?.[0]}
          />
        )}
        <input ref={passkeyField} type="hidden" name="passkey" defaultValue="" />
        <p className="text-xs text-slate-500">
          Changing your password signs out every other device signed in to your account.
        </p>
        <div className="flex flex-wrap gap-3">
          {hasPasskey && (
            <Button type="button" disabled={busy} onClick={confirmWithPasskey}>
              {prompting ? "Waiting for your passkey…" : "Confirm with passkey and change password"}
            </Button>
          )}
          {(!hasPasskey || hasTotp) && (
            <Button type="submit" variant={hasPasskey ? "secondary" : undefined} disabled={busy}>
              {pending ? "Saving…" : hasPasskey ? "Change password with the code" : "Change password"}
            </Button>
          )}
        </div>
      </form>
    </Card>
  );
}
