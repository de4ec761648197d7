import Link from "next/link";
import { itemKey, nudgeableItems, nudgedLabel, type TeamView } from "@/lib/reports/team-matrix-rules";
import { NudgeButton } from "./nudge-button";
import { StatusCell } from "./status-cell";

const cell = "border-b border-slate-200 px-3 py-3 align-top group-hover:bg-slate-50";

/** The matrix: people down the side (the sticky first column), items across, a status in words in every cell. */
export function TeamTable({ view, caption, now }: { view: TeamView; caption: string; now: Date }) {
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
              {view.visibleItems.map((item) => (
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
            {view.rows.map((row) => {
              const href = `/people/${row.person.id}`;
              const canNudge = nudgeableItems(row, view.items).length > 0;
              return (
                <tr key={row.person.id} data-email={row.person.email} className="group">
                  <th scope="row" className="sticky left-0 z-10 border-r border-b border-slate-200 bg-white px-4 py-3 text-left align-top font-normal group-hover:bg-slate-50">
                    <Link href={href} className="font-medium text-slate-900 hover:underline">
                      {row.person.name}
                    </Link>
                    <span className="block text-xs text-slate-500">{row.person.email}</span>
                  </th>
                  <td className={`${cell} text-slate-700`}>{row.person.departmentName ?? "—"}</td>
                  {view.visibleItems.map((item) => (
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
