"use client";

import { useActionState } from "react";

import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/field";

import { requestRole } from "./actions";

/** The role's one action: folded, so the page stays a short list until someone asks. */
export function RequestRoleForm({ roleId, roleName, blocked }: { roleId: string; roleName: string; blocked: boolean }) {
  const [state, formAction, pending] = useActionState(requestRole, null);
  if (state?.ok)
    return (
      <div className="mt-3">
        <Alert tone="success">{state.message}</Alert>
      </div>
    );
  const error = state && !state.ok ? (state.fieldErrors?.justification?.[0] ?? state.error) : null;
  const id = `justification-${roleId}`;
  return (
    <details className="group mt-3" open={Boolean(error)}>
      <summary className="inline-flex cursor-pointer list-none items-center rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 shadow-sm hover:bg-slate-50 [&::-webkit-details-marker]:hidden">
        Request access
      </summary>
      <form action={formAction} className="mt-3 max-w-xl space-y-2">
        <input type="hidden" name="roleId" value={roleId} />
        <label htmlFor={id} className="block text-sm font-medium text-slate-800">
          Why do you need the “{roleName}” role?
        </label>
        <textarea
          id={id}
          name="justification"
          rows={2}
          maxLength={2000}
          required
          aria-invalid={error ? true : undefined}
          className="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
        />
        {blocked && (
          <p className="text-xs text-amber-800">
            You can request it now; it takes effect once what is needed first is done.
          </p>
        )}
        {error && <Alert>{error}</Alert>}
        <Button type="submit" variant="secondary" disabled={pending}>
          {pending ? "Sending…" : "Send request"}
        </Button>
      </form>
    </details>
  );
}
