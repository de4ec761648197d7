"use client";

import { useActionState } from "react";

import { Button } from "@/components/ui/button";
import { Alert, Field } from "@/components/ui/field";

import { addWebhook } from "./actions";

export function CreateWebhookForm({ eventTypes }: { eventTypes: { type: string; label: string }[] }) {
  const [state, formAction, pending] = useActionState(addWebhook, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  const created = state?.ok ? (state.data as { id: string; secret: string } | undefined) : undefined;
  return (
    <div className="space-y-4">
      {state && !state.ok && <Alert>{state.error}</Alert>}
      {created && (
        <div
          className="rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-900"
          role="status"
        >
          <p className="font-medium">{state?.ok && state.message}</p>
          <label htmlFor="webhook-secret" className="mt-3 block text-xs font-medium text-emerald-900">
            Signing secret
          </label>
          <input
            id="webhook-secret"
            readOnly
            value={created.secret}
            onFocus={(e) => e.currentTarget.select()}
            data-testid="webhook-secret"
            className="mt-1 block w-full rounded-md border border-emerald-300 bg-white px-3 py-2 font-mono text-sm text-slate-900"
          />
          <p className="mt-2 text-xs">
            Each request carries <code>Clearance-Signature: t=…,v1=…</code>: the hex HMAC-SHA256 of{" "}
            <code>&lt;t&gt;.&lt;raw body&gt;</code> with this secret. Reject requests whose signature does not match or
            whose <code>t</code> is more than five minutes old.
          </p>
        </div>
      )}
      <form action={formAction} className="grid gap-4">
        <Field
          label="Receiver URL"
          name="url"
          type="url"
          required
          placeholder="https://siem.example.com/hooks/clearance"
          hint="https:// to a receiver on the public internet; private addresses and http:// only where the server allows them (development)."
          error={errors?.url?.[0]}
        />
        <fieldset aria-describedby={errors?.eventTypes ? "event-types-error" : undefined}>
          <legend className="text-sm font-medium text-slate-800">Events to send</legend>
          <div className="mt-2 grid gap-2 sm:grid-cols-2">
            {eventTypes.map(({ type, label }) => (
              <label key={type} className="flex items-start gap-2 text-sm">
                <input type="checkbox" name="eventTypes" value={type} defaultChecked className="mt-1" />
                <span>
                  <span className="font-mono text-xs text-slate-900">{type}</span>
                  <span className="block text-slate-600">{label}</span>
                </span>
              </label>
            ))}
          </div>
          {errors?.eventTypes && (
            <p id="event-types-error" className="mt-1 text-sm text-red-700">
              {errors.eventTypes[0]}
            </p>
          )}
        </fieldset>
        <div>
          <Button type="submit" disabled={pending}>
            {pending ? "Adding…" : "Add webhook"}
          </Button>
        </div>
      </form>
    </div>
  );
}
