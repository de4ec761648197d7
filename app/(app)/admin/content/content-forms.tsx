"use client";

import Link from "next/link";
import { useActionState, useState } from "react";

import { Button } from "@/components/ui/button";
import { Alert, Field, inputClass } from "@/components/ui/field";
import type { ContentProblem } from "@/lib/content/load";

import { createItem, setApproval } from "./actions";

export function NewItemForm() {
  const [state, formAction, pending] = useActionState(createItem, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  return (
    <form action={formAction} className="grid gap-4 sm:grid-cols-2">
      {state && !state.ok && (
        <div className="sm:col-span-2">
          <Alert>{state.error}</Alert>
        </div>
      )}
      <div>
        <label htmlFor="new-kind" className="block text-sm font-medium text-slate-800">
          What
        </label>
        <select id="new-kind" name="kind" className={`mt-1 ${inputClass}`} defaultValue="course">
          <option value="course">Course</option>
          <option value="agreement">Agreement or policy</option>
        </select>
      </div>
      <Field label="Title" name="title" required maxLength={120} error={errors?.title?.[0]} />
      <Field
        label="Id"
        name="id"
        required
        maxLength={60}
        pattern="[a-z0-9]+(-[a-z0-9]+)*"
        hint="Lower-case words joined by hyphens, e.g. our-support-tools. It cannot be changed later."
        error={errors?.id?.[0]}
      />
      <div className="flex items-end">
        <Button type="submit" disabled={pending}>
          {pending ? "Creating…" : "Create draft"}
        </Button>
      </div>
    </form>
  );
}

type ImportAnswer =
  | { drafts: { kind: string; id: string; draftId: string }[] }
  | { error: { code: string; message: string; problems?: ContentProblem[] } };

export function ImportForm() {
  const [answer, setAnswer] = useState<ImportAnswer | null>(null);
  const [pending, setPending] = useState(false);
  async function upload(form: HTMLFormElement) {
    const file = (form.elements.namedItem("file") as HTMLInputElement).files?.[0];
    if (!file) {
      setAnswer({ error: { code: "no_file", message: "Choose a ZIP file first." } });
      return;
    }
    setPending(true);
    try {
      const response = await fetch("/admin/content/import", {
        method: "POST",
        body: file,
        headers: { "Content-Type": "application/zip" },
      });
      setAnswer((await response.json()) as ImportAnswer);
    } catch {
      setAnswer({
        error: {
          code: "network",
          message: "The upload did not reach the server. Check your connection and try again.",
        },
      });
    } finally {
      setPending(false);
    }
  }
  return (
    <form
      className="space-y-3"
      onSubmit={(event) => {
        event.preventDefault();
        void upload(event.currentTarget);
      }}
    >
      <div>
        <label htmlFor="import-file" className="block text-sm font-medium text-slate-800">
          ZIP file (at most 25 MB)
        </label>
        <input id="import-file" name="file" type="file" accept=".zip,application/zip" className="mt-1 block text-sm" />
      </div>
      <Button type="submit" variant="secondary" disabled={pending}>
        {pending ? "Checking…" : "Import as drafts"}
      </Button>
      {answer && "drafts" in answer && (
        <Alert tone="success">
          Imported {answer.drafts.length} {answer.drafts.length === 1 ? "item" : "items"} as drafts:{" "}
          {answer.drafts.map((d, i) => (
            <span key={d.draftId}>
              {i > 0 && ", "}
              <Link href={`/admin/content/${d.kind}/${d.id}/draft`} className="underline">
                {d.id}
              </Link>
            </span>
          ))}
          . Review and publish each.
        </Alert>
      )}
      {answer && "error" in answer && (
        <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
          <p className="font-medium">{answer.error.message}</p>
          {answer.error.problems && (
            <ul className="mt-2 list-disc space-y-1 pl-5">
              {answer.error.problems.map((p, i) => (
                <li key={i}>
                  <code>
                    {p.file}
                    {p.line ? `:${p.line}` : ""}
                  </code>{" "}
                  — {p.field}: {p.problem}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </form>
  );
}

export function ApprovalSetting({
  kind,
  label,
  on,
  canEdit,
}: {
  kind: "course" | "agreement";
  label: string;
  on: boolean;
  canEdit: boolean;
}) {
  const [state, formAction, pending] = useActionState(setApproval, null);
  return (
    <form
      action={formAction}
      className="flex flex-wrap items-center justify-between gap-3 border-b border-slate-100 py-3 last:border-0"
    >
      <input type="hidden" name="kind" value={kind} />
      <input type="hidden" name="requireApproval" value={on ? "off" : "on"} />
      <p className="text-sm text-slate-800">
        <span className="font-medium">{label}:</span>{" "}
        {on ? "a second compliance admin approves before publishing" : "published by the admin who submits"}
      </p>
      {canEdit && (
        <Button type="submit" variant="secondary" disabled={pending}>
          {on ? "Stop requiring approval" : "Require approval"}
        </Button>
      )}
      {state && (
        <p
          role={state.ok ? "status" : "alert"}
          className={`w-full text-sm ${state.ok ? "text-emerald-700" : "text-red-700"}`}
        >
          {state.ok ? state.message : state.error}
        </p>
      )}
    </form>
  );
}
