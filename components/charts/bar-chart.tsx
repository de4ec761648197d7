import { ChartDataTable, type ChartTable } from "./chart-data-table";

export type Bar = { label: string; value: number | null; note?: string };

type Props = {
  id: string;
  title: string;
  description: string;
  bars: Bar[];
  table: ChartTable;
  format?: (value: number) => string;
};

const W = 1000;
const ROW = 54;
const BAR = 18;
const VALUE_SPACE = 150;

/**
 * Percentages side by side as horizontal bars, each labelled above its bar so
 * long names never get cut. Inline SVG with a title and description, and the
 * data table alongside; no script.
 */
export function BarChart({ id, title, description, bars, table, format = (v) => `${v.toFixed(1)}%` }: Props) {
  const height = bars.length * ROW + 8;
  const track = W - VALUE_SPACE;
  return (
    <figure>
      <div className="overflow-x-auto" tabIndex={0} aria-label={`${title} (chart)`} role="group">
        <svg
          viewBox={`0 0 ${W} ${height}`}
          role="img"
          aria-labelledby={`${id}-title ${id}-desc`}
          className="h-auto w-full min-w-[40rem]"
          data-testid={`${id}-chart`}
        >
          <title id={`${id}-title`}>{title}</title>
          <desc id={`${id}-desc`}>{description}</desc>
          {bars.map((bar, i) => {
            const top = i * ROW + 4;
            const width = bar.value === null ? 0 : (Math.max(0, Math.min(100, bar.value)) / 100) * track;
            return (
              <g key={bar.label}>
                <text x={0} y={top + 14} className="fill-slate-800 text-[15px]">
                  {bar.label}
                  {bar.note && <tspan className="fill-slate-600 text-[14px]"> · {bar.note}</tspan>}
                </text>
                <rect x={0} y={top + 22} width={track} height={BAR} rx={4} className="fill-slate-100" />
                {width > 0 && <rect x={0} y={top + 22} width={width} height={BAR} rx={4} className="fill-brand-600" />}
                <text
                  x={track + 10}
                  y={top + 22 + BAR / 2}
                  dy="0.32em"
                  className="fill-slate-800 text-[15px] font-medium"
                >
                  {bar.value === null ? "No one required" : format(bar.value)}
                </text>
              </g>
            );
          })}
        </svg>
      </div>
      <ChartDataTable table={table} />
    </figure>
  );
}
