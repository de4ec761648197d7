"use client";

import { useActionState } from "react";

import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/field";

import { resolve } from "./actions";

export function ResolveForm({ id }: { id: string }) {
  const [state, formAction, pending] = useActionState(resolve, null);
  if (state?.ok) return <Alert tone="success">{state.message}</Alert>;
  return (
    <form action={formAction} className="flex flex-wrap items-end gap-2">
      <input type="hidden" name="id" value={id} />
      <div className="min-w-56 flex-1">
        <label htmlFor={`resolution-${id}`} className="block text-xs font-medium text-slate-700">
          Note to the person
        </label>
        <input
          id={`resolution-${id}`}
          name="resolution"
          maxLength={2000}
          className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1 text-sm"
        />
      </div>
      <Button type="submit" name="outcome" value="resolved" disabled={pending}>
        Corrected
      </Button>
      <Button type="submit" name="outcome" value="rejected" variant="secondary" disabled={pending}>
        Reject
      </Button>
      {state && !state.ok && (
        <div className="w-full">
          <Alert>{state.error}</Alert>
        </div>
      )}
    </form>
  );
}
