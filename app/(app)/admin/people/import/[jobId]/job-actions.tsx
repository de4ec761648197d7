"use client";

import { useRouter } from "next/navigation";
import { useActionState, useEffect } from "react";

import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/field";

import { applyImportJob, cancelImportJob } from "../../actions";

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;

/** Apply (in the background) or cancel a checked file. */
export function JobActions({ jobId, applicable }: { jobId: string; applicable: number }) {
  const router = useRouter();
  const [applied, apply, applying] = useActionState(applyImportJob, null);
  const [cancelled, cancel, cancelling] = useActionState(cancelImportJob, null);
  const done = applied?.ok || cancelled?.ok;
  // The page shows the job's new state (the progress bar, or "cancelled").
  useEffect(() => {
    if (done) router.refresh();
  }, [done, router]);
  const failure = (applied && !applied.ok && applied.error) || (cancelled && !cancelled.ok && cancelled.error);
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap gap-3">
        {applicable > 0 ? (
          <form action={apply}>
            <input type="hidden" name="jobId" value={jobId} />
            <Button type="submit" disabled={applying || cancelling || done}>
              {applying ? "Starting…" : `Apply ${plural(applicable, "valid row")}`}
            </Button>
          </form>
        ) : (
          <p className="text-sm text-slate-700">Nothing to apply: no row creates or changes anyone.</p>
        )}
        <form action={cancel}>
          <input type="hidden" name="jobId" value={jobId} />
          <Button type="submit" variant="secondary" disabled={applying || cancelling || done}>
            {cancelling ? "Cancelling…" : "Cancel import"}
          </Button>
        </form>
      </div>
      {failure && <Alert>{failure}</Alert>}
    </div>
  );
}
