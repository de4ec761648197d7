/**
 * A small log-log line chart, as SVG, of how each timing grows with the
 * organisation: one line a figure, and a dashed line of slope 1 (linear
 * growth) through the first point of the slowest figure for comparison.
 * No dependencies, so the benchmark writes it as it finishes.
 */

export type ScaleSeries = { name: string; points: { people: number; value: number }[] };

const WIDTH = 760;
const HEIGHT = 420;
const PLOT = { left: 70, right: 250, top: 20, bottom: 50 };
const COLOURS = ["#1d4ed8", "#b91c1c", "#047857", "#7c3aed", "#b45309", "#0e7490", "#be185d", "#4d7c0f", "#334155"];

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const decades = (lo: number, hi: number) => {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(10 ** e);
  return out;
};
const label = (n: number) => (n >= 1000 ? `${(n / 1000).toLocaleString("en")}k` : String(n));

export function scaleChartSvg(series: ScaleSeries[]): string {
  const drawn = series.filter((s) => s.points.length > 0);
  const all = drawn.flatMap((s) => s.points);
  if (all.length === 0)
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="60"><text x="10" y="30">No figures</text></svg>\n`;
  const xTicks = decades(Math.min(...all.map((p) => p.people)), Math.max(...all.map((p) => p.people)));
  const yTicks = decades(Math.max(0.1, Math.min(...all.map((p) => p.value))), Math.max(...all.map((p) => p.value)));
  const [x0, x1] = [Math.log10(xTicks[0]), Math.log10(xTicks.at(-1)!)];
  const [y0, y1] = [Math.log10(yTicks[0]), Math.log10(yTicks.at(-1)!)];
  const plotW = WIDTH - PLOT.left - PLOT.right;
  const plotH = HEIGHT - PLOT.top - PLOT.bottom;
  const x = (people: number) => PLOT.left + ((Math.log10(people) - x0) / (x1 - x0 || 1)) * plotW;
  const y = (value: number) =>
    PLOT.top + plotH - ((Math.log10(Math.max(value, yTicks[0])) - y0) / (y1 - y0 || 1)) * plotH;
  const parts: string[] = [];
  for (const t of xTicks)
    parts.push(
      `<line x1="${x(t)}" y1="${PLOT.top}" x2="${x(t)}" y2="${PLOT.top + plotH}" stroke="#e5e7eb"/>`,
      `<text x="${x(t)}" y="${PLOT.top + plotH + 18}" text-anchor="middle">${label(t)}</text>`,
    );
  for (const t of yTicks)
    parts.push(
      `<line x1="${PLOT.left}" y1="${y(t)}" x2="${PLOT.left + plotW}" y2="${y(t)}" stroke="#e5e7eb"/>`,
      `<text x="${PLOT.left - 8}" y="${y(t) + 4}" text-anchor="end">${t >= 1000 ? `${t / 1000} s` : `${t} ms`}</text>`,
    );
  parts.push(
    `<text x="${PLOT.left + plotW / 2}" y="${HEIGHT - 12}" text-anchor="middle">people in the organisation (log scale)</text>`,
  );
  // Linear growth, for comparison: through the first point of the slowest series.
  const slowest = [...drawn].sort((a, b) => b.points[0].value - a.points[0].value)[0];
  const start = slowest.points[0];
  const end = xTicks.at(-1)!;
  parts.push(
    `<line x1="${x(start.people)}" y1="${y(start.value)}" x2="${x(end)}" y2="${y((start.value * end) / start.people)}" stroke="#6b7280" stroke-dasharray="6 4"/>`,
  );
  drawn.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const d = s.points.map((p, j) => `${j ? "L" : "M"}${x(p.people).toFixed(1)},${y(p.value).toFixed(1)}`).join(" ");
    parts.push(`<path d="${d}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    for (const p of s.points)
      parts.push(`<circle cx="${x(p.people).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="3" fill="${colour}"/>`);
    const ly = PLOT.top + 14 + i * 20;
    parts.push(
      `<line x1="${WIDTH - PLOT.right + 16}" y1="${ly - 4}" x2="${WIDTH - PLOT.right + 36}" y2="${ly - 4}" stroke="${colour}" stroke-width="2"/>`,
      `<text x="${WIDTH - PLOT.right + 42}" y="${ly}">${escape(s.name)}</text>`,
    );
  });
  const ly = PLOT.top + 14 + drawn.length * 20;
  parts.push(
    `<line x1="${WIDTH - PLOT.right + 16}" y1="${ly - 4}" x2="${WIDTH - PLOT.right + 36}" y2="${ly - 4}" stroke="#6b7280" stroke-dasharray="6 4"/>`,
    `<text x="${WIDTH - PLOT.right + 42}" y="${ly}">linear growth</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12" fill="#111827" role="img" aria-label="Timings against organisation size, log-log">
<rect width="100%" height="100%" fill="#ffffff"/>
${parts.join("\n")}
</svg>
`;
}
