"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

import { ProgressBar } from "@/components/ui/progress-bar";
import type { ImportJobStatusView } from "@/lib/people/import-jobs";

const POLL_MS = 1_000;

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
export function JobProgress({
  jobId,
  initial,
}: {
  jobId: string;
  initial: Pick<ImportJobStatusView, "status" | "phase" | "rowsDone" | "rowsTotal">;
}) {
  const router = useRouter();
  const [status, setStatus] = useState<
    Pick<ImportJobStatusView, "status" | "phase" | "rowsDone" | "rowsTotal"> & {
      secondsLeft?: number | null;
    }
  >(initial);
  const [lost, setLost] = useState(false);

  useEffect(() => {
    let stopped = false;
    const timer = setInterval(async () => {
      try {
        const response = await fetch(`/admin/people/import/${jobId}/status`, { cache: "no-store" });
        if (!response.ok) throw new Error(String(response.status));
        const next = (await response.json()) as ImportJobStatusView;
        if (stopped) return;
        setLost(false);
        setStatus(next);
        if (next.status !== "validating" && next.status !== "applying") {
          clearInterval(timer);
          router.refresh();
        }
      } catch {
        if (!stopped) setLost(true);
      }
    }, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [jobId, router]);

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
