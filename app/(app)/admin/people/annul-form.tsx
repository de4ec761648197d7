"use client";

import { useActionState, useId } from "react";

import { Button } from "@/components/ui/button";
import { Alert, inputClass } from "@/components/ui/field";

import { annulCertification } from "./actions";

/**
 * Annulling a certification, behind a disclosure: the reason is required and
 * shown to the holder, and the button says what it ends.
 */
export function AnnulForm({
  certificationId,
  label,
  open,
}: {
  certificationId: string;
  label: string;
  /** False once it is annulled or has ended: the cell then shows the outcome, or a dash. */
  open: boolean;
}) {
  const [state, formAction, pending] = useActionState(annulCertification, null);
  const id = useId();
  // Rendered in the same place whatever the row's state, so the confirmation outlives the page's refresh.
  if (state?.ok) return <Alert tone="success">{state.message}</Alert>;
  if (!open) return <span className="text-sm text-slate-500">—</span>;
  const reasonError = state && !state.ok ? state.fieldErrors?.reason?.[0] : undefined;
  return (
    <details className="group" open={Boolean(state && !state.ok)}>
      <summary className="cursor-pointer text-sm font-medium text-red-700 underline-offset-2 hover:underline">
        Annul<span className="sr-only"> {label}</span>
      </summary>
      <form action={formAction} className="mt-2 max-w-md space-y-2">
        <input type="hidden" name="certificationId" value={certificationId} />
        <label htmlFor={`${id}-reason`} className="block text-sm font-medium text-slate-800">
          Reason (the holder and auditors read it)
        </label>
        <textarea
          id={`${id}-reason`}
          name="reason"
          required
          minLength={10}
          maxLength={500}
          rows={3}
          aria-invalid={reasonError ? true : undefined}
          aria-describedby={reasonError ? `${id}-error` : `${id}-hint`}
          className={inputClass}
        />
        {reasonError ? (
          <p id={`${id}-error`} className="text-sm text-red-700">
            {reasonError}
          </p>
        ) : (
          <p id={`${id}-hint`} className="text-xs text-slate-500">
            The certification ends now and no longer counts for data-access roles. The holder is told by email and must
            take the course again. This cannot be undone.
          </p>
        )}
        <Button type="submit" variant="danger" disabled={pending}>
          {pending ? "Annulling…" : `Annul ${label}`}
        </Button>
        {state && !state.ok && !reasonError && <Alert>{state.error}</Alert>}
      </form>
    </details>
  );
}
