import { ChartDataTable, type ChartTable } from "./chart-data-table";

export type LinePoint = { label: string; value: number | null };

type Props = {
  /** Unique on the page: ties the SVG to its title and description. */
  id: string;
  title: string;
  description: string;
  points: LinePoint[];
  /** The same numbers for people who cannot see the chart. */
  table: ChartTable;
  format?: (value: number) => string;
};

const W = 1000;
const H = 300;
const M = { top: 28, right: 24, bottom: 40, left: 52 };
const TICKS = [0, 25, 50, 75, 100];

/**
 * A percentage over time as inline SVG: no script, no library. The SVG is
 * one image with a title and description for assistive technology, and the
 * data table below carries every value. Months without data leave a gap.
 */
export function LineChart({ id, title, description, points, table, format = (v) => `${Math.round(v)}%` }: Props) {
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const x = (i: number) => M.left + (points.length === 1 ? plotW / 2 : (i / (points.length - 1)) * plotW);
  const y = (v: number) => M.top + plotH - (Math.max(0, Math.min(100, v)) / 100) * plotH;

  // Consecutive points with data form one line; a month without data breaks it.
  const segments: { i: number; v: number }[][] = [];
  points.forEach((p, i) => {
    if (p.value === null) return;
    const last = segments.at(-1);
    if (last && last.at(-1)!.i === i - 1) last.push({ i, v: p.value });
    else segments.push([{ i, v: p.value }]);
  });

  const gaps = points.some((p) => p.value === null);
  return (
    <figure>
      {/* Below this width the labels get too small to read: scroll instead. */}
      <div className="overflow-x-auto" tabIndex={0} aria-label={`${title} (chart)`} role="group">
        <svg
          viewBox={`0 0 ${W} ${H}`}
          role="img"
          aria-labelledby={`${id}-title ${id}-desc`}
          className="h-auto w-full min-w-[40rem]"
          data-testid={`${id}-chart`}
        >
          <title id={`${id}-title`}>{title}</title>
          <desc id={`${id}-desc`}>{description}</desc>
          {TICKS.map((t) => (
            <g key={t}>
              <line x1={M.left} x2={W - M.right} y1={y(t)} y2={y(t)} className="stroke-slate-200" strokeWidth={1} />
              <text x={M.left - 8} y={y(t)} dy="0.32em" textAnchor="end" className="fill-slate-600 text-[14px]">
                {t}%
              </text>
            </g>
          ))}
          {points.map((p, i) => (
            <text
              key={p.label}
              x={x(i)}
              y={H - M.bottom + 24}
              textAnchor="middle"
              className="fill-slate-600 text-[14px]"
            >
              {p.label}
            </text>
          ))}
          {segments.map((segment) => (
            <polyline
              key={segment[0].i}
              points={segment.map((s) => `${x(s.i)},${y(s.v)}`).join(" ")}
              fill="none"
              className="stroke-brand-600"
              strokeWidth={2.5}
              strokeLinejoin="round"
            />
          ))}
          {points.map((p, i) =>
            p.value === null ? null : (
              <g key={p.label}>
                <circle cx={x(i)} cy={y(p.value)} r={5} className="fill-white stroke-brand-600" strokeWidth={2} />
                <text
                  x={x(i)}
                  y={y(p.value) - 10}
                  textAnchor="middle"
                  className="fill-slate-800 text-[13px] font-medium"
                >
                  {format(p.value)}
                </text>
              </g>
            ),
          )}
        </svg>
      </div>
      {gaps && (
        <figcaption className="mt-1 text-xs text-slate-600">
          Months without a point had no required training yet.
        </figcaption>
      )}
      <ChartDataTable table={table} />
    </figure>
  );
}
