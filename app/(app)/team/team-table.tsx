"use client";

import Link from "next/link";
import { itemKey, nudgeableItems, nudgedLabel, type MatrixItem, type MatrixRow } from "@/lib/reports/team-matrix-rules";
import { NudgeButton } from "./nudge-button";
import { StatusCell } from "./status-cell";

const cell = "border-b border-slate-200 px-3 py-3 align-top group-hover:bg-slate-50";

type Props = {
  /** The rows on this page. */
  rows: MatrixRow[];
  /** The columns shown. */
  visibleItems: MatrixItem[];
  /** Every item in scope, for what a person can be reminded about. */
  items: MatrixItem[];
  caption: string;
  now: Date;
};

/**
 * The matrix: people down the side (the sticky first column), items across, a
 * status in words in every cell. A client component so the page sends the
 * page's rows as data and the markup is rendered once: as a server component
 * every cell's markup also travelled in the RSC payload, several hundred
 * kilobytes that were streamed cell by cell.
 */
export function TeamTable({ rows, visibleItems, items, caption, now }: Props) {
  return (
    <>
      {/* A wide table scrolls its caption out of view, so sighted readers get the caption's text here. */}
      <p aria-hidden="true" className="mb-2 text-sm text-slate-600">
        {caption}
      </p>
      <div className="overflow-x-auto rounded-lg border border-slate-200">
        <table className="min-w-full border-separate border-spacing-0 text-left text-sm">
          <caption className="sr-only">{caption}</caption>
          <thead className="bg-slate-50 text-xs text-slate-600">
            <tr>
              <th scope="col" className="sticky left-0 z-20 min-w-48 border-r border-b border-slate-200 bg-slate-50 px-4 py-2 font-semibold">
                Person
              </th>
              <th scope="col" className="min-w-28 border-b border-slate-200 px-3 py-2 font-semibold">
                Department
              </th>
              {visibleItems.map((item) => (
                <th key={itemKey(item)} scope="col" className="min-w-32 border-b border-slate-200 px-3 py-2 align-bottom font-semibold">
                  {item.title}
                </th>
              ))}
              <th scope="col" className="min-w-44 border-b border-slate-200 px-3 py-2 font-semibold">
                Reminder
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const href = `/people/${row.person.id}`;
              const canNudge = nudgeableItems(row, items).length > 0;
              return (
                <tr key={row.person.id} data-email={row.person.email} className="group">
                  <th scope="row" className="sticky left-0 z-10 border-r border-b border-slate-200 bg-white px-4 py-3 text-left align-top font-normal group-hover:bg-slate-50">
                    <Link href={href} className="font-medium text-slate-900 hover:underline">
                      {row.person.name}
                    </Link>
                    <span className="block text-xs text-slate-500">{row.person.email}</span>
                  </th>
                  <td className={`${cell} text-slate-700`}>{row.person.departmentName ?? "—"}</td>
                  {visibleItems.map((item) => (
                    <td key={itemKey(item)} className={cell}>
                      <StatusCell cell={row.cells[itemKey(item)]} href={`${href}#${item.kind}-${item.id}`} />
                    </td>
                  ))}
                  <td className={cell}>
                    {canNudge ? (
                      <NudgeButton target="person" fields={{ personId: row.person.id }} label="Nudge" accessibleLabel={`Nudge ${row.person.name}`} nudged={nudgedLabel(row.lastNudgedAt, now)} />
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
