import Link from "next/link";
import { Badge, type Tone } from "@/components/ui/badge";
import { cellDetail, cellLabel, type Cell, type CellStatus } from "@/lib/reports/team-matrix-rules";

const tones: Record<CellStatus, Tone> = {
  overdue: "danger",
  due: "warning",
  in_progress: "info",
  not_started: "neutral",
  expiring: "warning",
  current: "success",
  expired: "danger",
  not_applicable: "neutral",
};

/** A status in words (never colour alone) with its date, linking to the person's record. */
export function StatusCell({ cell, href }: { cell: Cell; href?: string }) {
  if (cell.status === "not_applicable") {
    return (
      <span data-status={cell.status} className="text-slate-500">
        <span aria-hidden="true">—</span>
        <span className="sr-only">Not applicable</span>
      </span>
    );
  }
  const detail = cellDetail(cell);
  const content = (
    <>
      <span className="whitespace-nowrap">
        <Badge tone={tones[cell.status]}>{cellLabel(cell)}</Badge>
      </span>
      {detail && <span className="mt-1 block text-xs whitespace-nowrap text-slate-600">{detail}</span>}
    </>
  );
  return href ? (
    <Link href={href} data-status={cell.status} className="block rounded-md hover:underline">
      {content}
    </Link>
  ) : (
    <span data-status={cell.status}>{content}</span>
  );
}
