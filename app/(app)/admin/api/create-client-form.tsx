"use client";

import { useActionState, useState } from "react";

import { Button } from "@/components/ui/button";
import { Alert, Field, inputClass } from "@/components/ui/field";
import type { ActionState } from "@/lib/http/action";

import { createClient, type CreatedClient } from "./actions";
import { CopyButton } from "./copy-button";

type Props = { scopes: { id: string; description: string }[]; defaultRateLimit: number };

export function CreateClientForm({ scopes, defaultRateLimit }: Props) {
  // Controlled fields: a failed submission keeps what the admin typed.
  const [name, setName] = useState("");
  const [chosen, setChosen] = useState<string[]>([]);
  const [rate, setRate] = useState(String(defaultRateLimit));
  const [created, setCreated] = useState<CreatedClient | null>(null);
  const [state, formAction, pending] = useActionState(
    async (previous: ActionState<CreatedClient>, formData: FormData) => {
      const result = await createClient(previous, formData);
      if (result?.ok && result.data) {
        setCreated(result.data);
        setName("");
        setChosen([]);
        setRate(String(defaultRateLimit));
      }
      return result;
    },
    null,
  );
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  const toggle = (id: string, on: boolean) => setChosen((list) => (on ? [...list, id] : list.filter((s) => s !== id)));

  return (
    <div className="space-y-5">
      {created && <NewToken created={created} onDone={() => setCreated(null)} />}
      <form action={formAction} className="grid gap-4 sm:grid-cols-2" noValidate>
        {state && !state.ok && (
          <div className="sm:col-span-2">
            <Alert>{state.error}</Alert>
          </div>
        )}
        <Field
          label="Name"
          name="name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          maxLength={100}
          hint="The system that will use the token, e.g. Support console."
          error={errors?.name?.[0]}
          autoComplete="off"
        />
        <div>
          <label htmlFor="field-rateLimitPerMinute" className="block text-sm font-medium text-slate-800">
            Rate limit (requests per minute)
          </label>
          <input
            id="field-rateLimitPerMinute"
            name="rateLimitPerMinute"
            type="number"
            inputMode="numeric"
            min={1}
            max={100000}
            step={1}
            required
            value={rate}
            onChange={(e) => setRate(e.target.value)}
            aria-invalid={errors?.rateLimitPerMinute ? true : undefined}
            aria-describedby={
              errors?.rateLimitPerMinute ? "field-rateLimitPerMinute-error" : "field-rateLimitPerMinute-hint"
            }
            className={`mt-1 ${inputClass}`}
          />
          {errors?.rateLimitPerMinute ? (
            <p id="field-rateLimitPerMinute-error" className="mt-1 text-sm text-red-700">
              {errors.rateLimitPerMinute[0]}
            </p>
          ) : (
            <p id="field-rateLimitPerMinute-hint" className="mt-1 text-xs text-slate-500">
              {defaultRateLimit.toLocaleString("en-GB")} a minute is {Math.round(defaultRateLimit / 60)} a second. Past
              the limit the API answers 429 with Retry-After.
            </p>
          )}
        </div>
        <fieldset className="sm:col-span-2" aria-describedby={errors?.scopes ? "field-scopes-error" : undefined}>
          <legend className="text-sm font-medium text-slate-800">Scopes</legend>
          <p className="mt-1 text-xs text-slate-500">Give each system only what it needs.</p>
          <div className="mt-2 space-y-2">
            {scopes.map((scope) => (
              <label key={scope.id} className="flex items-start gap-2 text-sm">
                <input
                  type="checkbox"
                  name="scopes"
                  value={scope.id}
                  checked={chosen.includes(scope.id)}
                  onChange={(e) => toggle(scope.id, e.target.checked)}
                  className="mt-0.5 rounded border-slate-300"
                />
                <span>
                  <code className="font-medium text-slate-900">{scope.id}</code>
                  <span className="text-slate-600"> — {scope.description}</span>
                </span>
              </label>
            ))}
          </div>
          {errors?.scopes && (
            <p id="field-scopes-error" className="mt-1 text-sm text-red-700">
              {errors.scopes[0]}
            </p>
          )}
        </fieldset>
        <div className="sm:col-span-2">
          <Button type="submit" disabled={pending}>
            {pending ? "Creating…" : "Create API client"}
          </Button>
        </div>
      </form>
    </div>
  );
}

function NewToken({ created, onDone }: { created: CreatedClient; onDone: () => void }) {
  return (
    <section
      aria-labelledby="new-token-title"
      className="rounded-lg border border-amber-300 bg-amber-50 p-4"
      data-testid="new-token"
    >
      <h3 id="new-token-title" className="font-semibold text-amber-900">
        Copy the token for “{created.name}” now
      </h3>
      <p className="mt-1 text-sm text-amber-900">
        This is the only time it is shown. Clearance keeps only a hash of it, so it cannot be displayed again; if it is
        lost, revoke the client and create a new one. Store it in the calling system&apos;s secret store, never in code
        or chat.
      </p>
      <div className="mt-3 flex flex-wrap items-center gap-2">
        <label htmlFor="new-api-token" className="sr-only">
          API token for {created.name}
        </label>
        {/* Focus lands on the token so keyboard and screen-reader users meet it first. */}
        <input
          id="new-api-token"
          readOnly
          autoFocus
          value={created.token}
          onFocus={(e) => e.currentTarget.select()}
          className={`${inputClass} max-w-xl font-mono`}
        />
        <CopyButton text={created.token} label="Copy token" variant="primary" />
        <Button type="button" variant="ghost" onClick={onDone}>
          I have stored it
        </Button>
      </div>
    </section>
  );
}
