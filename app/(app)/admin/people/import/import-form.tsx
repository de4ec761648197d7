"use client";

import Link from "next/link";
import { useActionState, useState } from "react";

import { Badge, type Tone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/field";
import { Table } from "@/components/ui/table";
import type { ActionState } from "@/lib/http/action";
import { sizeError } from "@/lib/people/import-limits";
import type { RowAction } from "@/lib/people/import-rules";

import { importPeople } from "../actions";
import type { ImportView } from "../import-view";

const OUTCOMES: Record<RowAction, [string, Tone]> = {
  create: ["Create", "info"],
  update: ["Update", "warning"],
  unchanged: ["Unchanged", "neutral"],
  invalid: ["Error", "danger"],
};

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;

export function ImportForm() {
  // A file over the limit is refused here: the Server Action's 1 MB body limit would refuse it without a message.
  const [state, dispatch, pending] = useActionState((previous: ActionState, formData: FormData) => {
    const file = formData.get("file");
    const tooBig = file instanceof File && file.size > 0 ? sizeError(file.size) : null;
    return tooBig ? ({ ok: false, error: tooBig } as const) : importPeople(previous, formData);
  }, null);
  // The file input is cleared after each submission; the previewed file is kept here for "apply".
  const [previewedFile, setPreviewedFile] = useState<File | null>(null);
  const view = state?.ok ? (state.data as ImportView | undefined) : undefined;

  const preview = (formData: FormData) => {
    const file = formData.get("file");
    setPreviewedFile(file instanceof File && file.size > 0 ? file : null);
    formData.set("mode", "preview");
    dispatch(formData);
  };
  const apply = (formData: FormData) => {
    if (previewedFile) formData.set("file", previewedFile);
    formData.set("mode", "apply");
    dispatch(formData);
  };

  return (
    <div className="space-y-5">
      <form action={preview} className="flex flex-wrap items-end gap-3">
        <div>
          <label htmlFor="import-file" className="block text-sm font-medium text-slate-800">
            CSV file
          </label>
          <input
            id="import-file"
            name="file"
            type="file"
            accept=".csv,text/csv"
            required
            className="mt-1 block text-sm text-slate-700 file:mr-3 file:rounded-md file:border file:border-slate-300 file:bg-white file:px-3 file:py-1.5 file:text-sm file:font-medium file:text-slate-800 hover:file:bg-slate-50"
          />
        </div>
        <Button type="submit" variant="secondary" disabled={pending}>
          {pending ? "Reading…" : "Preview import"}
        </Button>
      </form>

      {state && !state.ok && <Alert>{state.fieldErrors?.file?.[0] ?? state.error}</Alert>}

      {view?.kind === "applied" && (
        <Alert tone="success">
          <p className="font-medium">
            Imported {view.fileName}: {plural(view.created, "person", "people")} created,{" "}
            {view.updated.toLocaleString("en")} updated.
          </p>
          <p className="mt-1">
            {view.created > 0 ? `Each new person was emailed an invitation to set a password. ` : ""}
            {view.summary.invalid > 0
              ? `${plural(view.summary.invalid, "row")} with errors ${view.summary.invalid === 1 ? "was" : "were"} skipped. `
              : ""}
            <Link href="/admin/people" className="font-medium underline underline-offset-2">
              Back to people
            </Link>
          </p>
        </Alert>
      )}

      {view?.kind === "preview" && (
        <section aria-labelledby="preview-heading" className="space-y-4">
          <div>
            <h3 id="preview-heading" className="text-base font-semibold text-slate-900">
              Preview of {view.fileName}
            </h3>
            <p role="status" className="mt-1 text-sm text-slate-700" data-testid="import-summary">
              {view.summaryText}. Nothing has been changed yet.
            </p>
          </div>

          {view.errors.length > 0 && (
            <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
              <p className="font-medium">
                {plural(view.summary.invalid, "row")} {view.summary.invalid === 1 ? "has" : "have"} errors and will be
                skipped:
              </p>
              <ul className="mt-2 list-disc space-y-1 pl-5">
                {view.errors.slice(0, 200).map((e, i) => (
                  <li key={i}>{e}</li>
                ))}
              </ul>
              {view.errors.length > 200 && (
                <p className="mt-2">
                  …and {plural(view.errors.length - 200, "more error")}. Fix these first and preview again.
                </p>
              )}
            </div>
          )}

          <Table
            caption={`What each row will do${
              view.rows.length < view.summary.rows
                ? ` (the first ${view.rows.length.toLocaleString("en")} rows, with every error)`
                : ""
            }`}
            framed
            columns={[
              { header: "Row", className: "tabular-nums text-slate-700", cell: (r) => r.row },
              {
                header: "Person",
                rowHeader: true,
                headerClassName: "min-w-60",
                className: "font-normal",
                cell: (r) => (
                  <>
                    <span className="block font-medium text-slate-900">{r.name || "—"}</span>
                    <span className="block text-xs [overflow-wrap:anywhere] text-slate-600">{r.email || "—"}</span>
                  </>
                ),
              },
              {
                header: "Outcome",
                cell: (r) => <Badge tone={OUTCOMES[r.action][1]}>{OUTCOMES[r.action][0]}</Badge>,
              },
              {
                header: "Details",
                cell: (r) =>
                  r.details.length > 0 ? (
                    <ul className={`space-y-0.5 text-xs ${r.action === "invalid" ? "text-red-800" : "text-slate-700"}`}>
                      {r.details.map((d, i) => (
                        <li key={i}>{d}</li>
                      ))}
                    </ul>
                  ) : (
                    <span className="text-xs text-slate-600">
                      {r.action === "unchanged" ? "Already up to date" : "—"}
                    </span>
                  ),
              },
            ]}
            rows={view.rows}
            rowKey={(r) => r.row}
            rowAttributes={(r) => ({ "data-row": r.row, tone: r.action === "invalid" ? "danger" : undefined })}
            empty="No rows in this file"
          />

          {view.applicable > 0 ? (
            <form action={apply} className="flex flex-wrap items-center gap-3">
              <input type="hidden" name="previewed" value={view.digest} />
              <Button type="submit" disabled={pending || !previewedFile}>
                {pending ? "Applying…" : `Apply ${plural(view.applicable, "valid row")}`}
              </Button>
              <span className="text-sm text-slate-600">
                {view.summary.create > 0 ? `${plural(view.summary.create, "invitation")} will be emailed. ` : ""}
                {view.summary.invalid > 0 ? "Rows with errors are skipped." : ""}
              </span>
            </form>
          ) : (
            <p className="text-sm text-slate-700">
              Nothing to apply:{" "}
              {view.summary.invalid > 0
                ? "fix the rows with errors and preview the file again."
                : "every row already matches."}
            </p>
          )}
        </section>
      )}
    </div>
  );
}
