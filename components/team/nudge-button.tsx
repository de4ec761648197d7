"use client";

import { useActionState } from "react";

import { nudgeOne, nudgeOverdue } from "@/app/(app)/team/actions";
import type { ActionState } from "@/lib/http/action";

type Props = {
  /** One person's open items, or everyone overdue under the current filters. */
  target: "person" | "overdue";
  fields: Record<string, string>;
  label: string;
  /** A fuller name for screen readers, starting with the visible label. */
  accessibleLabel?: string;
  /** "Nudged today at 09:12 UTC", from the server. */
  nudged?: string | null;
  size?: "small" | "normal";
};

const sizes = {
  small: "px-2.5 py-1 text-xs",
  normal: "px-4 py-2 text-sm",
};

/** A reminder button that works without JavaScript and reports what it sent. */
export function NudgeButton({ target, fields, label, accessibleLabel, nudged, size = "small" }: Props) {
  const send: (previous: ActionState, form: FormData) => Promise<ActionState> =
    target === "person" ? nudgeOne : nudgeOverdue;
  const [state, formAction, pending] = useActionState(send, null);
  return (
    <form action={formAction} className="flex flex-col items-start gap-1">
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button
        type="submit"
        disabled={pending}
        aria-label={accessibleLabel}
        className={`inline-flex items-center justify-center rounded-md border border-slate-300 bg-white font-medium whitespace-nowrap text-slate-800 shadow-sm hover:bg-slate-50 disabled:cursor-not-allowed disabled:text-slate-500 ${sizes[size]}`}
      >
        {pending ? "Sending…" : label}
      </button>
      {nudged && <span className="text-xs text-slate-600">{nudged}</span>}
      <span
        role={state && !state.ok ? "alert" : "status"}
        className={`max-w-44 text-xs ${state && !state.ok ? "text-red-700" : "text-emerald-800"}`}
      >
        {state ? (state.ok ? state.message : state.error) : null}
      </span>
    </form>
  );
}
