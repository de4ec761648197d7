"use client";

import { useActionState, useState } from "react";

import { ConsentCodeCheck } from "@/components/consent-code-check";
import { SignaturePad } from "@/components/signature-pad";
import { Button } from "@/components/ui/button";
import { Alert, Field } from "@/components/ui/field";
import type { SignatureLevel } from "@/lib/content/schemas";

import { consentToSign, declineAgreement, signAgreement } from "../actions";
import { useReadState } from "./agreement-reader";

export function ConsentForm({
  agreementId,
  ceremonyId,
  consentHtml,
  consentVersion,
}: {
  agreementId: string;
  ceremonyId: string;
  consentHtml: string;
  consentVersion: string;
}) {
  const [state, formAction, pending] = useActionState(consentToSign, null);
  return (
    <form action={formAction} className="space-y-4">
      <input type="hidden" name="agreementId" value={agreementId} />
      <input type="hidden" name="ceremonyId" value={ceremonyId} />
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
        pdfHref={`/agreements/consent-check/${ceremonyId}`}
        error={state && !state.ok ? state.fieldErrors?.consentCode?.[0] : undefined}
      />
      {state && !state.ok && !state.fieldErrors?.consentCode && (
        <Alert>{state.fieldErrors?.consent?.[0] ?? state.error}</Alert>
      )}
      <Button type="submit" disabled={pending}>
        {pending ? "Recording…" : "Continue to signing"}
      </Button>
    </form>
  );
}

export function SignForm({
  agreementId,
  ceremonyId,
  mfaEnabled,
  level,
}: {
  agreementId: string;
  ceremonyId: string;
  mfaEnabled: boolean;
  level: SignatureLevel;
}) {
  const { read, required } = useReadState();
  const waiting = required && !read;
  if (level === "acknowledge")
    return <AcknowledgeForm agreementId={agreementId} ceremonyId={ceremonyId} waiting={waiting} />;
  return (
    <TypedSignForm
      agreementId={agreementId}
      ceremonyId={ceremonyId}
      mfaEnabled={mfaEnabled}
      drawn={level === "drawn"}
      waiting={waiting}
    />
  );
}

function AcknowledgeForm({
  agreementId,
  ceremonyId,
  waiting,
}: {
  agreementId: string;
  ceremonyId: string;
  waiting: boolean;
}) {
  const [state, formAction, pending] = useActionState(signAgreement, null);
  return (
    <form action={formAction} className="space-y-4">
      <input type="hidden" name="agreementId" value={agreementId} />
      <input type="hidden" name="ceremonyId" value={ceremonyId} />
      {state && !state.ok && <Alert>{state.error}</Alert>}
      <p className="text-sm text-slate-700">
        Acknowledging records that you, signed in to Clearance, have read this document and accept it. You receive a
        sealed copy.
      </p>
      <Button type="submit" disabled={pending || waiting} aria-describedby={waiting ? "read-status" : undefined}>
        {pending ? "Recording and sealing…" : "I have read and accept"}
      </Button>
    </form>
  );
}

function TypedSignForm({
  agreementId,
  ceremonyId,
  mfaEnabled,
  drawn,
  waiting,
}: {
  agreementId: string;
  ceremonyId: string;
  mfaEnabled: boolean;
  drawn: boolean;
  waiting: boolean;
}) {
  const [state, formAction, pending] = useActionState(signAgreement, null);
  const [method, setMethod] = useState<"password" | "code">("password");
  // Controlled, so a refused attempt keeps what was typed; the password is never kept or sent back.
  const [typedName, setTypedName] = useState("");
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  return (
    <form action={formAction} className="space-y-5">
      <input type="hidden" name="agreementId" value={agreementId} />
      <input type="hidden" name="ceremonyId" value={ceremonyId} />
      {state && !state.ok && <Alert>{state.error}</Alert>}
      <fieldset className="space-y-3">
        <legend className="text-sm font-semibold text-slate-900">1. Confirm it is you</legend>
        {mfaEnabled && (
          <div className="flex gap-4 text-sm">
            <label className="flex items-center gap-2">
              <input
                type="radio"
                name="reauthMethod"
                checked={method === "password"}
                onChange={() => setMethod("password")}
              />{" "}
              Password
            </label>
            <label className="flex items-center gap-2">
              <input type="radio" name="reauthMethod" checked={method === "code"} onChange={() => setMethod("code")} />{" "}
              Authenticator code
            </label>
          </div>
        )}
        {method === "password" ? (
          <Field
            label="Your password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            error={errors?.password?.[0]}
          />
        ) : (
          <Field
            label="Authenticator code"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            required
            error={errors?.code?.[0]}
          />
        )}
      </fieldset>
      <fieldset className="space-y-3">
        <legend className="text-sm font-semibold text-slate-900">2. Sign</legend>
        <Field
          label="Type your full legal name"
          name="typedName"
          autoComplete="name"
          required
          value={typedName}
          onChange={(e) => setTypedName(e.target.value)}
          error={errors?.typedName?.[0]}
          hint="It must match the name on your record."
        />
        {drawn && <p className="text-sm text-slate-700">This agreement needs a drawn signature as well.</p>}
        <SignaturePad name="signature" />
        {errors?.signature && (
          <p role="alert" className="text-sm text-red-700">
            {errors.signature[0]}
          </p>
        )}
      </fieldset>
      <Button type="submit" disabled={pending || waiting} aria-describedby={waiting ? "read-status" : undefined}>
        {pending ? "Signing and sealing…" : "Sign the agreement"}
      </Button>
    </form>
  );
}

export function DeclineForm({ agreementId }: { agreementId: string }) {
  const [state, formAction, pending] = useActionState(declineAgreement, null);
  return (
    <details className="rounded-md border border-slate-200 px-4 py-3">
      <summary className="cursor-pointer text-sm font-medium text-slate-700">I do not want to sign</summary>
      <form action={formAction} className="mt-3 space-y-3">
        <input type="hidden" name="agreementId" value={agreementId} />
        <label htmlFor="decline-reason" className="block text-sm text-slate-700">
          Reason (optional, shared with your compliance team)
        </label>
        <textarea
          id="decline-reason"
          name="reason"
          rows={3}
          maxLength={1000}
          className="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
        />
        {state && !state.ok && <Alert>{state.error}</Alert>}
        <Button type="submit" variant="secondary" disabled={pending}>
          {pending ? "Recording…" : "Decline to sign"}
        </Button>
      </form>
    </details>
  );
}
