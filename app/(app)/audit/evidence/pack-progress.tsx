"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

import { ProgressBar } from "@/components/ui/progress-bar";
import type { EvidencePackStatusView } from "@/lib/evidence/packs";

const POLL_MS = 1_000;

type Progress = Pick<EvidencePackStatusView, "status" | "phase" | "rowsDone" | "rowsTotal">;

/**
 * A pack's progress, asked of its status route every second while it is
 * made. All of it is in the job, so a reload shows the same bar; when the
 * pack is ready the page is refreshed to show the download link.
 */
export function PackProgress({ packId, initial }: { packId: string; initial: Progress }) {
  const router = useRouter();
  const [status, setStatus] = useState<Progress>(initial);
  const [lost, setLost] = useState(false);

  useEffect(() => {
    let stopped = false;
    const timer = setInterval(async () => {
      try {
        const response = await fetch(`/audit/evidence/${packId}/status`, { cache: "no-store" });
        if (!response.ok) throw new Error(String(response.status));
        const next = (await response.json()) as EvidencePackStatusView;
        if (stopped) return;
        setLost(false);
        setStatus(next);
        if (next.status !== "queued" && next.status !== "running") {
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
  }, [packId, router]);

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
