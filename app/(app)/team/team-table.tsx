"use client";

import Link from "next/link";
import { useActionState, useState } from "react";

import { StatusCell } from "@/components/team/status-cell";
import type { TableColumn, TableRow } from "@/lib/team/view";

import { nudgeOne } from "./actions";

const NUDGE_FORM = "team-nudge";

type Props = {
  columns: TableColumn[];
  /** The rows on this page, in words (lib/team/view.ts tableOf). */
  rows: TableRow[];
  caption: string;
};

/**
 * The matrix: people down the side (the sticky first column), items across, a
 * status in words in every cell. A client component so the page sends the
 * page's rows once, as data, and the markup is rendered from it; the cells'
 * look lives in the `team-matrix` classes (app/globals.css) rather than on
 * every one of the page's several hundred cells. Every row's Nudge button
 * submits one form with its person's id; the answer shows in that person's
 * row, a failure above the table.
 */
export function TeamTable({ columns, rows, caption }: Props) {
  const [state, nudge, pending] = useActionState(nudgeOne, null);
  const [sending, setSending] = useState<string | null>(null);
  const answeredFor = state?.ok ? state.data?.personId : undefined;
  return (
    <>
      <form id={NUDGE_FORM} action={nudge} hidden />
      {state && !state.ok && (
        <p role="alert" className="mb-3 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {state.error}
        </p>
      )}
      {/* A wide table scrolls its caption out of view, so sighted readers get the caption's text here. */}
      <p aria-hidden="true" className="mb-2 text-sm text-slate-600">
        {caption}
      </p>
      <div className="overflow-x-auto rounded-lg border border-slate-200">
        <table className="team-matrix min-w-full border-separate border-spacing-0 text-left text-sm">
          <caption className="sr-only">{caption}</caption>
          <thead className="bg-slate-50 text-xs text-slate-600">
            <tr>
              <th scope="col" className="sticky left-0 z-20 min-w-48 border-r bg-slate-50 px-4">
                Person
              </th>
              <th scope="col" className="min-w-28">
                Department
              </th>
              {columns.map((column) => (
                <th key={column.key} scope="col" className="min-w-32 align-bottom">
                  {column.title}
                </th>
              ))}
              <th scope="col" className="min-w-44">
                Reminder
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const href = `/people/${row.id}`;
              return (
                <tr key={row.id} data-email={row.email}>
                  <th scope="row">
                    <Link href={href} prefetch={false} className="font-medium text-slate-900 hover:underline">
                      {row.name}
                    </Link>
                    <span className="block text-xs text-slate-500">{row.email}</span>
                  </th>
                  <td className="text-slate-700">{row.department ?? "—"}</td>
                  {row.cells.map((cell, i) => (
                    <td key={columns[i].key}>
                      <StatusCell cell={cell} href={`${href}#${columns[i].anchor}`} />
                    </td>
                  ))}
                  <td>
                    {row.canNudge ? (
                      <div className="flex flex-col items-start gap-1">
                        <button
                          type="submit"
                          form={NUDGE_FORM}
                          name="personId"
                          value={row.id}
                          disabled={pending}
                          onClick={() => setSending(row.id)}
                          aria-label={`Nudge ${row.name}`}
                          className="nudge-button"
                        >
                          {pending && sending === row.id ? "Sending…" : "Nudge"}
                        </button>
                        {row.nudged && <span className="text-xs text-slate-600">{row.nudged}</span>}
                        <span role="status" className="max-w-44 text-xs text-emerald-800">
                          {answeredFor === row.id ? state?.ok && state.message : null}
                        </span>
                      </div>
                    ) : (
                      <span className="text-xs text-slate-500">Nothing to remind</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}
