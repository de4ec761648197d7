import { figures, type FigureName } from "@/lib/reports/figures";

import { DefinitionTip } from "./definition-tip";

/**
 * One figure of a summary row, inside a `<dl>`. Given a `figure`, its label
 * and definition come from the figures catalogue (lib/reports/figures.ts), so
 * a figure reads the same on every page.
 */
export function Stat({
  figure,
  label,
  value,
  note,
  tone,
}: {
  figure?: FigureName;
  label?: string;
  value: string;
  note?: string;
  tone?: "danger" | "warning";
}) {
  const color = tone === "danger" ? "text-red-700" : tone === "warning" ? "text-amber-800" : "text-slate-900";
  const defined = figure ? figures[figure] : undefined;
  const name = label ?? defined?.label ?? "";
  return (
    <div className="rounded-xl border border-slate-200 bg-white px-4 py-3 shadow-sm">
      <dt className="text-sm text-slate-600">
        {name}
        {defined && <DefinitionTip figure={name} definition={defined.definition} />}
      </dt>
      <dd className={`mt-1 text-2xl font-semibold tracking-tight ${color}`}>{value}</dd>
      {note && <dd className="text-xs text-slate-500">{note}</dd>}
    </div>
  );
}
