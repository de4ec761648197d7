"use client";

import { useActionState } from "react";

import type { ActionState } from "@/lib/http/action";

import { Button } from "./ui/button";

type Props<T> = {
  action: (state: ActionState<T>, formData: FormData) => Promise<ActionState<T>>;
  fields: Record<string, string>;
  label: string;
  pendingLabel?: string;
  variant?: "primary" | "secondary" | "danger";
};

/** A one-button form for a Server Action, showing its pending state and any error beside it. */
export function ActionButton<T>({ action, fields, label, pendingLabel, variant = "primary" }: Props<T>) {
  const [state, formAction, pending] = useActionState<ActionState<T>, FormData>(action, null);
  return (
    <form action={formAction} className="inline-flex flex-col gap-2">
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <Button type="submit" variant={variant} disabled={pending}>
        {pending ? (pendingLabel ?? "Working…") : label}
      </Button>
      {state && !state.ok && (
        <p role="alert" className="max-w-md text-sm text-red-700">
          {state.error}
        </p>
      )}
    </form>
  );
}
