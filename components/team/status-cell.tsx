import Link from "next/link";

import { Badge, type Tone } from "@/components/ui/badge";
import type { CellStatus } from "@/lib/team/matrix.rules";
import type { TableCell } from "@/lib/team/view";

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
export function StatusCell({ cell, href }: { cell: TableCell; href?: string }) {
  if (cell.status === "not_applicable") {
    return (
      <span data-status={cell.status} className="text-slate-500">
        <span aria-hidden="true">—</span>
        <span className="sr-only">Not applicable</span>
      </span>
    );
  }
  const content = (
    <>
      <Badge tone={tones[cell.status]}>{cell.label}</Badge>
      {cell.detail && <span className="cell-detail">{cell.detail}</span>}
    </>
  );
  return href ? (
    <Link href={href} prefetch={false} data-status={cell.status} className="block rounded-md hover:underline">
      {content}
    </Link>
  ) : (
    <span data-status={cell.status}>{content}</span>
  );
}
