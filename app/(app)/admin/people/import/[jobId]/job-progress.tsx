"use client";

import { ProgressBar } from "@/components/ui/progress-bar";
import { usePolledStatus } from "@/components/use-polled-status";
import type { ImportJobStatusView } from "@/lib/people/import-jobs";

type Progress = Pick<ImportJobStatusView, "status" | "phase" | "rowsDone" | "rowsTotal"> & {
  secondsLeft?: number | null;
};

function timeLeft(seconds: number | null): string {
  if (seconds === null) return "estimating time left";
  if (seconds < 60) return `about ${seconds} s left`;
  return `about ${Math.round(seconds / 60)} min left`;
}

/**
 * The job's progress, asked of the status route every second while it runs.
 * All of it is in the job, so a reload (or another admin's browser) shows the
 * same bar; when the job ends the page is refreshed to show what it did.
 */
export function JobProgress({ jobId, initial }: { jobId: string; initial: Progress }) {
  const { status, lost } = usePolledStatus<Progress>(
    `/admin/people/import/${jobId}/status`,
    initial,
    (s) => s.status === "validating" || s.status === "applying",
  );

  if (status.status === "validating")
    return (
      <p role="status" className="text-sm text-slate-700">
        Checking every row against the people already in Clearance… This page updates by itself.
      </p>
    );
  const pct = status.rowsTotal > 0 ? (100 * status.rowsDone) / status.rowsTotal : 0;
  return (
    <div className="space-y-2">
      <ProgressBar value={pct} label="Import progress" />
      <p role="status" aria-live="polite" className="text-sm text-slate-700" data-testid="import-progress">
        {status.rowsDone.toLocaleString("en")} of {status.rowsTotal.toLocaleString("en")} rows
        {status.phase ? ` · ${status.phase}` : ""} · {timeLeft(status.secondsLeft ?? null)}. You can leave this page;
        the import goes on, and nothing is visible until it is complete.
      </p>
      {lost && <p className="text-sm text-amber-800">Lost touch with the server; trying again…</p>}
    </div>
  );
}
