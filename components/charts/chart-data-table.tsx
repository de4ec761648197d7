import type { ReactNode } from "react";

export type ChartTable = { caption: string; columns: string[]; rows: ReactNode[][] };

/** The numbers behind a chart as a table, folded away for those who see the chart, one click for everyone else. */
export function ChartDataTable({
  table,
  summary = "Show the data as a table",
}: {
  table: ChartTable;
  summary?: string;
}) {
  return (
    <details className="mt-3 text-sm">
      <summary className="cursor-pointer font-medium text-brand-700 underline-offset-2 hover:underline">
        {summary}
      </summary>
      <div className="mt-2 overflow-x-auto">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">{table.caption}</caption>
          <thead className="border-b border-slate-200 text-xs text-slate-600">
            <tr>
              {table.columns.map((c, i) => (
                <th key={c} scope="col" className={`py-1.5 pr-4 font-semibold ${i > 0 ? "text-right" : ""}`}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {table.rows.map((row, r) => (
              <tr key={r}>
                {row.map((cell, i) =>
                  i === 0 ? (
                    <th key={i} scope="row" className="py-1.5 pr-4 font-normal text-slate-800">
                      {cell}
                    </th>
                  ) : (
                    <td key={i} className="py-1.5 pr-4 text-right text-slate-700 tabular-nums">
                      {cell}
                    </td>
                  ),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
