"use client";

import { useActionState, useState } from "react";

import { Button } from "@/components/ui/button";

import { revokeClient } from "./actions";

/** Revoking breaks the calling system at once, so it takes a second, explicit click. */
export function RevokeClientButton({ id, name }: { id: string; name: string }) {
  const [confirming, setConfirming] = useState(false);
  const [state, formAction, pending] = useActionState(revokeClient, null);
  if (!confirming) {
    return (
      <Button
        type="button"
        variant="secondary"
        className="px-3 py-1.5"
        onClick={() => setConfirming(true)}
        aria-label={`Revoke ${name}`}
      >
        Revoke
      </Button>
    );
  }
  return (
    <form action={formAction} className="flex max-w-xs flex-col gap-2" aria-label={`Confirm revoking ${name}`}>
      <input type="hidden" name="id" value={id} />
      <p className="text-sm text-slate-700">
        Revoke “{name}”? Every request with its token is refused from now on. This cannot be undone.
      </p>
      <div className="flex gap-2">
        {/* The confirmation replaces the button that had focus: keep the keyboard user on it. */}
        <Button type="submit" variant="danger" className="px-3 py-1.5" disabled={pending} autoFocus>
          {pending ? "Revoking…" : "Yes, revoke"}
        </Button>
        <Button
          type="button"
          variant="ghost"
          className="px-3 py-1.5"
          onClick={() => setConfirming(false)}
          disabled={pending}
        >
          Cancel
        </Button>
      </div>
      {state && !state.ok && (
        <p role="alert" className="text-sm text-red-700">
          {state.error}
        </p>
      )}
    </form>
  );
}
