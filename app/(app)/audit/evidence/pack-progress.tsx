"use client";

import { ProgressBar } from "@/components/ui/progress-bar";
import { usePolledStatus } from "@/components/use-polled-status";
import type { EvidencePackStatusView } from "@/lib/evidence/packs";

type Progress = Pick<EvidencePackStatusView, "status" | "phase" | "rowsDone" | "rowsTotal">;

/**
 * A pack's progress, asked of its status route every second while it is
 * made. All of it is in the job, so a reload shows the same bar; when the
 * pack is ready the page is refreshed to show the download link.
 */
export function PackProgress({ packId, initial }: { packId: string; initial: Progress }) {
  const { status, lost } = usePolledStatus<Progress>(
    `/audit/evidence/${packId}/status`,
    initial,
    (s) => s.status === "queued" || s.status === "running",
  );
  const pct = status.rowsTotal > 0 ? (100 * status.rowsDone) / status.rowsTotal : 0;
  return (
    <div className="min-w-40 space-y-1">
      <ProgressBar value={pct} label="Evidence pack progress" />
      <p role="status" aria-live="polite" className="text-xs text-slate-600" data-testid="pack-progress">
        {status.status === "queued"
          ? "Waiting to start…"
          : `${status.rowsDone} of ${status.rowsTotal} steps${status.phase ? ` · ${status.phase}` : ""}`}
      </p>
      {lost && <p className="text-xs text-amber-800">Lost touch with the server; trying again…</p>}
    </div>
  );
}
