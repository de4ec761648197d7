"use client";

import { useActionState } from "react";

import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/field";

import { endAllSessions, endSession } from "./actions";

export type SessionRow = {
  id: string;
  current: boolean;
  device: string;
  method: string;
  ip: string | null;
  signedIn: string;
  lastSeen: string;
};

/** The person's signed-in browsers, each with its own sign-out, and one button for all of them. */
export function SessionsList({ sessions }: { sessions: SessionRow[] }) {
  const [state, endOne, pending] = useActionState(endSession, null);
  const [allState, endAll, allPending] = useActionState(endAllSessions, null);
  return (
    <div className="space-y-4 text-sm">
      {state && (state.ok ? <Alert tone="success">{state.message}</Alert> : <Alert>{state.error}</Alert>)}
      {allState && !allState.ok && <Alert>{allState.error}</Alert>}
      <ul className="divide-y divide-slate-200" aria-label="Signed-in sessions">
        {sessions.map((s) => (
          <li key={s.id} className="flex flex-wrap items-center justify-between gap-3 py-3">
            <div>
              <p className="font-medium text-slate-900">
                {s.device}
                {s.current && (
                  <span className="ml-2 rounded bg-brand-50 px-1.5 py-0.5 text-xs font-medium text-brand-700">
                    This browser
                  </span>
                )}
              </p>
              <p className="text-slate-600">{s.method}</p>
              <p className="text-slate-600">
                {s.ip ?? "Unknown address"} · signed in {s.signedIn} · last active {s.lastSeen}
              </p>
            </div>
            {!s.current && (
              <form action={endOne}>
                <input type="hidden" name="sessionId" value={s.id} />
                <Button
                  type="submit"
                  variant="secondary"
                  disabled={pending}
                  aria-label={`Sign out ${s.device}, last active ${s.lastSeen}`}
                >
                  Sign out
                </Button>
              </form>
            )}
          </li>
        ))}
      </ul>
      <form action={endAll}>
        <Button type="submit" variant="danger" disabled={allPending}>
          {allPending ? "Signing out…" : "Sign out everywhere"}
        </Button>
        <p className="mt-2 text-xs text-slate-500">
          Ends every session, this one included. Use it if you signed in on a device you no longer have.
        </p>
      </form>
    </div>
  );
}
