"use client";

import { useActionState } from "react";

import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/field";

import { requestRole } from "./actions";

export function RequestRoleForm({
  roleId,
  roleName,
  blockedUntil,
}: {
  roleId: string;
  roleName: string;
  blockedUntil: string[];
}) {
  const [state, formAction, pending] = useActionState(requestRole, null);
  if (state?.ok) return <Alert tone="success">{state.message}</Alert>;
  const error = state && !state.ok ? (state.fieldErrors?.justification?.[0] ?? state.error) : null;
  const id = `justification-${roleId}`;
  return (
    <form action={formAction} className="space-y-2">
      <input type="hidden" name="roleId" value={roleId} />
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        Why do you need {roleName.toLowerCase()}?
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
      {blockedUntil.length > 0 && (
        <p className="text-xs text-amber-800">
          You can request it now, but it will be blocked until you{" "}
          {blockedUntil.join("; ").replace(/^./, (c) => c.toLowerCase())}.
        </p>
      )}
      {error && <Alert>{error}</Alert>}
      <Button type="submit" variant="secondary" disabled={pending}>
        {pending ? "Sending…" : "Request access"}
      </Button>
    </form>
  );
}
