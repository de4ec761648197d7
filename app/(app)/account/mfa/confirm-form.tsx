"use client";

import Link from "next/link";
import { useActionState } from "react";

import { Button, buttonClass } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Alert, Field } from "@/components/ui/field";

import { confirmMfa } from "./actions";

/** The codes as a file a person can keep: what they are for, then one code a line. */
function recoveryCodesText(codes: string[]): string {
  return [
    "Clearance recovery codes",
    "Each code signs you in once if you lose your authenticator. Keep this file somewhere safe.",
    "",
    ...codes,
    "",
  ].join("\n");
}

type Props = { enabled: boolean; required: boolean; enrolment: { qrSvg: string; secret: string } | null };

/**
 * Enrolment and its result in one component that stays mounted when the page
 * re-renders: confirming replaces the session cookie, which re-renders the
 * page as "enabled", and the recovery codes shown once must survive that.
 */
export function MfaEnrolment({ enabled, required, enrolment }: Props) {
  const [state, formAction, pending] = useActionState(confirmMfa, null);
  if (state?.ok && Array.isArray(state.data)) {
    return (
      <Card>
        <div className="space-y-4">
          <Alert tone="success">Two-factor authentication is on.</Alert>
          <div>
            <h2 className="font-semibold text-slate-900">Your recovery codes</h2>
            <p className="mt-1 text-sm text-slate-600">
              Each code signs you in once if you lose your phone. Store them somewhere safe now: they will not be shown
              again.
            </p>
            <ul
              aria-label="Recovery codes"
              className="mt-3 grid grid-cols-2 gap-2 rounded-lg bg-slate-50 p-4 font-mono text-sm"
            >
              {state.data.map((code) => (
                <li key={code}>{code}</li>
              ))}
            </ul>
          </div>
          <div className="flex flex-wrap gap-3 print:hidden">
            <a
              href={`data:text/plain;charset=utf-8,${encodeURIComponent(recoveryCodesText(state.data))}`}
              download="clearance-recovery-codes.txt"
              className={buttonClass("secondary")}
            >
              Download as a text file
            </a>
            <Button type="button" variant="secondary" onClick={() => window.print()}>
              Print
            </Button>
          </div>
          {/* A full page load, so the menu (which depends on MFA being on) renders afresh. */}
          <a href="/dashboard" className={buttonClass("primary")}>
            I have saved my codes — continue
          </a>
        </div>
      </Card>
    );
  }
  if (enabled || !enrolment) {
    return (
      <Alert tone="success">
        Two-factor authentication is on for your account.{" "}
        <Link href="/account" className="underline">
          Back to your account
        </Link>
      </Alert>
    );
  }
  const groupedKey = enrolment.secret.match(/.{1,4}/g)?.join(" ");
  return (
    <>
      {required && (
        <div className="mb-6">
          <Alert tone="info">
            Your role gives you access to other people&apos;s records, so two-factor authentication is required before
            you continue.
          </Alert>
        </div>
      )}
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="1. Add Clearance to your authenticator app">
          <p className="text-sm text-slate-600">
            Scan this code with an app such as 1Password, Authy, Google or Microsoft Authenticator.
          </p>
          <div
            role="img"
            aria-label="QR code for your authenticator app"
            className="mx-auto mt-4 w-48 [&_svg]:h-auto [&_svg]:w-full"
            dangerouslySetInnerHTML={{ __html: enrolment.qrSvg }}
          />
          <p className="mt-4 text-sm text-slate-600">Can&apos;t scan? Enter this key instead:</p>
          <p
            className="mt-1 rounded-md bg-slate-50 px-3 py-2 font-mono text-sm tracking-wider text-slate-900"
            data-testid="mfa-secret"
            data-secret={enrolment.secret}
          >
            {groupedKey}
          </p>
        </Card>
        <Card title="2. Confirm with a code">
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
        </Card>
      </div>
    </>
  );
}
