"use client";

import { useActionState, useState } from "react";

import { ConsentCodeCheck } from "@/components/consent-code-check";
import { SignaturePad } from "@/components/signature-pad";
import { Button } from "@/components/ui/button";
import { Alert, Field } from "@/components/ui/field";
import type { ActionState } from "@/lib/http/action";

import { confirmCode, decline, giveConsent, requestCode, sign } from "./actions";

function Feedback({ state }: { state: ActionState }) {
  if (!state) return null;
  if (state.ok)
    return state.message && !["signed", "declined"].includes(state.message) ? (
      <Alert tone="success">{state.message}</Alert>
    ) : null;
  const first = state.fieldErrors && Object.values(state.fieldErrors)[0]?.[0];
  return <Alert>{first ?? state.error}</Alert>;
}

export function CodeStep({ token, codeSent, email }: { token: string; codeSent: boolean; email: string }) {
  const [sendState, sendAction, sending] = useActionState(requestCode, null);
  const [checkState, checkAction, checking] = useActionState(confirmCode, null);
  // Only the form used last speaks: a new code sent clears the refusal of the previous one.
  const [last, setLast] = useState<"send" | "check" | null>(null);
  return (
    <div className="space-y-5">
      <p className="text-sm text-slate-600">
        To make sure the person signing controls <strong>{email}</strong>, we email a one-time code to that address.
      </p>
      <form action={sendAction} onSubmit={() => setLast("send")} className="space-y-3">
        <input type="hidden" name="token" value={token} />
        {last === "send" && <Feedback state={sendState} />}
        <Button type="submit" variant={codeSent ? "secondary" : "primary"} disabled={sending}>
          {sending ? "Sending…" : codeSent ? "Send a new code" : "Email me a code"}
        </Button>
      </form>
      <form action={checkAction} onSubmit={() => setLast("check")} className="space-y-3">
        <input type="hidden" name="token" value={token} />
        {last === "check" && <Feedback state={checkState} />}
        <Field
          label="6-digit code"
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={6}
          required
        />
        <Button type="submit" disabled={checking}>
          {checking ? "Checking…" : "Confirm code"}
        </Button>
      </form>
    </div>
  );
}

export function ConsentStep({
  token,
  consentHtml,
  consentVersion,
}: {
  token: string;
  consentHtml: string;
  consentVersion: string;
}) {
  const [state, formAction, pending] = useActionState(giveConsent, null);
  return (
    <form action={formAction} className="space-y-4">
      <input type="hidden" name="token" value={token} />
      {/* Scrolls on its own: focusable and named, so it can be read with the keyboard. */}
      <div
        tabIndex={0}
        role="region"
        aria-label="Consent to electronic records and signatures"
        className="prose-content max-h-72 overflow-y-auto rounded-md border border-slate-200 bg-slate-50 px-4 py-2 text-sm focus:outline-2 focus:outline-brand-600/30"
        dangerouslySetInnerHTML={{ __html: consentHtml }}
      />
      <label className="flex items-start gap-3 text-sm text-slate-800">
        <input type="checkbox" name="consent" value="yes" className="mt-1" required />
        <span>
          I have read the agreement above and I consent to using electronic records and signatures (consent text v
          {consentVersion}).
        </span>
      </label>
      <ConsentCodeCheck
        pdfHref={`/partner-sign/${token}/consent-check`}
        error={state && !state.ok ? state.fieldErrors?.consentCode?.[0] : undefined}
      />
      {!(state && !state.ok && state.fieldErrors?.consentCode) && <Feedback state={state} />}
      <Button type="submit" disabled={pending}>
        {pending ? "Recording…" : "Continue to signing"}
      </Button>
    </form>
  );
}

export function SignStep({ token }: { token: string }) {
  const [state, formAction, pending] = useActionState(sign, null);
  // The page re-renders as the completion page; this shows only in the moment before it does.
  if (state?.ok && state.message === "signed") return <Alert tone="success">Signed. Opening your copy…</Alert>;
  return (
    <form action={formAction} className="space-y-4">
      <input type="hidden" name="token" value={token} />
      <Feedback state={state} />
      <Field label="Type your full name" name="typedName" autoComplete="name" required />
      <SignaturePad name="signature" />
      <Button type="submit" disabled={pending}>
        {pending ? "Signing and sealing…" : "Sign the agreement"}
      </Button>
    </form>
  );
}

export function DeclineStep({ token }: { token: string }) {
  const [state, formAction, pending] = useActionState(decline, null);
  if (state?.ok) return <Alert tone="info">Your decision to decline has been recorded.</Alert>;
  return (
    <details className="rounded-md border border-slate-200 px-4 py-3">
      <summary className="cursor-pointer text-sm font-medium text-slate-700">I do not want to sign</summary>
      <form action={formAction} className="mt-3 space-y-3">
        <input type="hidden" name="token" value={token} />
        <label htmlFor="decline-reason" className="block text-sm text-slate-700">
          Reason (optional)
        </label>
        <textarea
          id="decline-reason"
          name="reason"
          rows={3}
          maxLength={1000}
          className="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
        />
        <Feedback state={state} />
        <Button type="submit" variant="secondary" disabled={pending}>
          {pending ? "Recording…" : "Decline to sign"}
        </Button>
      </form>
    </details>
  );
}
