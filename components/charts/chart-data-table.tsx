import type { ReactNode } from "react";

import { Table, type Column } from "@/components/ui/table";

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
      <div className="mt-2">
        <Table
          caption={table.caption}
          hideCaption
          columns={table.columns.map((header, i): Column<ReactNode[]> =>
            i === 0
              ? { header, rowHeader: true, className: "font-normal text-slate-800", cell: (row) => row[0] }
              : { header, numeric: true, className: "text-slate-700", cell: (row) => row[i] },
          )}
          rows={table.rows}
          rowKey={(_, r) => r}
          empty="No data yet"
        />
      </div>
    </details>
  );
}
