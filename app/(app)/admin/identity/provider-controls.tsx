"use client";

import { useActionState } from "react";

import { Button } from "@/components/ui/button";
import { Alert, inputClass } from "@/components/ui/field";

import { setSsoOnlyPolicy, testProvider } from "./actions";

/** "Test configuration": reads the OIDC discovery document, or checks the SAML metadata and certificates, and reports what it found. */
export function TestProviderButton({ providerId, name }: { providerId: string; name: string }) {
  const [state, formAction, pending] = useActionState(testProvider, null);
  const passed = state?.ok && (state.data as { ok: boolean } | undefined)?.ok;
  return (
    <form action={formAction} className="space-y-2">
      <input type="hidden" name="providerId" value={providerId} />
      <Button type="submit" variant="secondary" disabled={pending} aria-label={`Test configuration of ${name}`}>
        {pending ? "Testing…" : "Test configuration"}
      </Button>
      {state && !state.ok && <Alert>{state.error}</Alert>}
      {state?.ok && <Alert tone={passed ? "success" : "error"}>{state.message}</Alert>}
    </form>
  );
}

const POLICY_LABELS = {
  off: "Off: everyone may also sign in with a password or passkey",
  privileged: "For managers, compliance admins and auditors",
  everyone: "For everyone",
} as const;

/** The organisation's "SSO only" policy. */
export function SsoOnlyPolicyForm({ policy }: { policy: keyof typeof POLICY_LABELS }) {
  const [state, formAction, pending] = useActionState(setSsoOnlyPolicy, null);
  const error = state && !state.ok ? (state.fieldErrors?.policy?.[0] ?? state.error) : undefined;
  return (
    <form action={formAction} className="space-y-3">
      {error && <Alert>{error}</Alert>}
      {state?.ok && <Alert tone="success">{state.message}</Alert>}
      <div>
        <label htmlFor="sso-only-policy" className="block text-sm font-medium text-slate-800">
          Single sign-on only
        </label>
        <select id="sso-only-policy" name="policy" defaultValue={policy} className={`mt-1 max-w-md ${inputClass}`}>
          {Object.entries(POLICY_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
        <p className="mt-1 text-xs text-slate-500">
          People it covers cannot sign in with a password or a passkey alone, and are sent no password-reset links.
        </p>
      </div>
      <Button type="submit" disabled={pending}>
        {pending ? "Saving…" : "Save policy"}
      </Button>
    </form>
  );
}
