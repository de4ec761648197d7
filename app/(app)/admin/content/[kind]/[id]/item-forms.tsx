"use client";

import { useActionState } from "react";

import { Button, buttonClass } from "@/components/ui/button";
import { inputClass } from "@/components/ui/field";

import { returnDraft } from "../../actions";

export function ReturnForm({ draftId, kind, id }: { draftId: string; kind: string; id: string }) {
  const [state, formAction, pending] = useActionState(returnDraft, null);
  const error = state && !state.ok ? (state.fieldErrors?.reason?.[0] ?? state.error) : undefined;
  return (
    <form action={formAction} className="flex min-w-72 flex-1 flex-col gap-2">
      <input type="hidden" name="draftId" value={draftId} />
      <input type="hidden" name="kind" value={kind} />
      <input type="hidden" name="id" value={id} />
      <label htmlFor="return-reason" className="text-sm font-medium text-slate-800">
        Or return it with a note
      </label>
      <textarea
        id="return-reason"
        name="reason"
        rows={2}
        maxLength={2000}
        className={inputClass}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? "return-reason-error" : undefined}
      />
      {error && (
        <p id="return-reason-error" role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
      {state?.ok && (
        <p role="status" className="text-sm text-emerald-700">
          {state.message}
        </p>
      )}
      <div>
        <Button type="submit" variant="secondary" disabled={pending}>
          {pending ? "Returning…" : "Return to draft"}
        </Button>
      </div>
    </form>
  );
}

export function CompareForm({ kind, id, choices }: { kind: string; id: string; choices: { value: string; label: string }[] }) {
  return (
    <form method="get" action={`/admin/content/${kind}/${id}/compare`} className="flex flex-wrap items-end gap-3">
      <div>
        <label htmlFor="compare-a" className="block text-sm font-medium text-slate-800">
          From
        </label>
        <select id="compare-a" name="a" defaultValue={choices[1]?.value ?? choices[0].value} className={`mt-1 ${inputClass}`}>
          {choices.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="compare-b" className="block text-sm font-medium text-slate-800">
          To
        </label>
        <select id="compare-b" name="b" defaultValue={choices[0].value} className={`mt-1 ${inputClass}`}>
          {choices.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className={buttonClass("secondary")}>
        Compare
      </button>
    </form>
  );
}
