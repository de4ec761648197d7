"use client";

import Link from "next/link";
import { useActionState, useState, type ReactNode } from "react";

import { StatusCell } from "@/components/team/status-cell";
import { Table, type Column } from "@/components/ui/table";
import type { TableColumn, TableRow } from "@/lib/team/view";

import { nudgeOne } from "./actions";

const NUDGE_FORM = "team-nudge";

type Props = {
  columns: TableColumn[];
  /** The rows on this page, in words (lib/team/view.ts tableOf). */
  rows: TableRow[];
  caption: string;
  /** The order in use, and the query of each order a column header offers. */
  sort: string;
  sortQueries: Record<string, Record<string, string>>;
  /** What the table says when no one matches. */
  empty: string;
  emptyDetail?: ReactNode;
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
export function TeamTable({ columns, rows, caption, sort, sortQueries, empty, emptyDetail }: Props) {
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
      <Table
        caption={caption}
        hideCaption
        // The caption is long: the scroll region gets a short name to announce on focus.
        regionLabel="Team matrix"
        framed
        className="team-matrix border-separate border-spacing-0"
        sorting={{ pathname: "/team", by: sort, queryFor: (by) => sortQueries[by] ?? {} }}
        columns={[
          {
            header: "Person",
            sort: "name",
            rowHeader: true,
            headerClassName: "sticky left-0 z-20 min-w-48 border-r bg-slate-50 px-4",
            cell: (row) => (
              <>
                <Link
                  href={`/people/${row.id}`}
                  prefetch={false}
                  className="font-medium text-slate-900 hover:underline"
                >
                  {row.name}
                </Link>
                <span className="block text-xs text-slate-500">{row.email}</span>
              </>
            ),
          },
          {
            header: "Department",
            sort: "department",
            headerClassName: "min-w-28",
            className: "text-slate-700",
            cell: (row) => row.department ?? "—",
          },
          ...columns.map((column, i): Column<TableRow> => ({
            header: column.title,
            headerClassName: "min-w-32 align-bottom",
            cell: (row) => <StatusCell cell={row.cells[i]} href={`/people/${row.id}#${column.anchor}`} />,
          })),
          {
            header: "Reminder",
            headerClassName: "min-w-44",
            cell: (row) =>
              row.canNudge ? (
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
              ),
          },
        ]}
        rows={rows}
        rowKey={(row) => row.id}
        rowAttributes={(row) => ({ "data-email": row.email })}
        empty={empty}
        emptyDetail={emptyDetail}
      />
    </>
  );
}
