"use client";

import { useActionState, useState } from "react";

import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/field";
import { formatDate } from "@/lib/format";

import { decide, revoke } from "../actions";

export function DecisionForm({ grantId, name, maxEnd }: { grantId: string; name: string; maxEnd: string }) {
  const [state, formAction, pending] = useActionState(decide, null);
  const [endsOn, setEndsOn] = useState(maxEnd);
  if (state?.ok) return <Alert tone="success">{state.message}</Alert>;
  // The browser shows the picker in its own locale; the app's own wording of the date sits beside it.
  const chosen = /^\d{4}-\d{2}-\d{2}$/.test(endsOn) ? formatDate(new Date(`${endsOn}T00:00:00Z`)) : null;
  return (
    <form action={formAction} className="flex flex-wrap items-end gap-3">
      <input type="hidden" name="grantId" value={grantId} />
      <div>
        <label htmlFor={`ends-${grantId}`} className="block text-xs font-medium text-slate-700">
          Ends on
        </label>
        <input
          id={`ends-${grantId}`}
          name="endsOn"
          type="date"
          value={endsOn}
          onChange={(e) => setEndsOn(e.target.value)}
          max={maxEnd}
          aria-describedby={`ends-${grantId}-words`}
          className="mt-1 rounded-md border border-slate-300 px-2 py-1 text-sm"
        />
        <p id={`ends-${grantId}-words`} className="mt-1 text-xs text-slate-600" aria-live="polite">
          {chosen ? `Ends ${chosen}` : "No end date chosen: the longest allowed applies"}
        </p>
      </div>
      <div className="min-w-48 flex-1">
        <label htmlFor={`comment-${grantId}`} className="block text-xs font-medium text-slate-700">
          Comment (sent to {name})
        </label>
        <input
          id={`comment-${grantId}`}
          name="comment"
          maxLength={2000}
          className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1 text-sm"
        />
      </div>
      <Button type="submit" name="decision" value="approve" disabled={pending}>
        Approve
      </Button>
      <Button type="submit" name="decision" value="deny" variant="secondary" disabled={pending}>
        Deny
      </Button>
      {state && !state.ok && (
        <div className="w-full">
          <Alert>{state.error}</Alert>
        </div>
      )}
    </form>
  );
}

export function RevokeForm({ grantId, label }: { grantId: string; label: string }) {
  const [state, formAction, pending] = useActionState(revoke, null);
  if (state?.ok) return <span className="text-sm text-slate-600">Revoked</span>;
  return (
    <form action={formAction} className="flex items-center gap-2">
      <input type="hidden" name="grantId" value={grantId} />
      <Button type="submit" variant="danger" className="py-1" disabled={pending} aria-label={label}>
        Revoke
      </Button>
      {state && !state.ok && (
        <span role="alert" className="text-sm text-red-700">
          {state.error}
        </span>
      )}
    </form>
  );
}
