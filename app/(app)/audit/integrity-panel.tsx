import Link from "next/link";

import { ActionButton } from "@/components/action-button";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { Alert } from "@/components/ui/field";
import type { CheckpointSummary } from "@/lib/audit/checkpoints";
import type { IntegrityReport } from "@/lib/audit/integrity";
import { eventsInWords } from "@/lib/audit/verify";
import { formatDateTime } from "@/lib/format";
import { HOUR } from "@/lib/time";

import { createCheckpoint } from "./actions";

// The scheduler signs one an hour; past two, something stopped it or removed its work.
const STALE_AFTER_MS = 2 * HOUR;

/** The chain's integrity beside the newest signed checkpoint, with the checkpoints to download. */
export function IntegrityPanel({
  report,
  checkpoints,
  now,
}: {
  report: IntegrityReport;
  checkpoints: CheckpointSummary[];
  now: Date;
}) {
  const latest = checkpoints[0];
  const stale = latest && now.getTime() - latest.createdAt.getTime() > STALE_AFTER_MS;
  const count = eventsInWords(report.events);
  return (
    <div className="mb-6 grid gap-6 lg:grid-cols-2">
      <Card
        title="Integrity"
        description={
          report.scope === "full"
            ? "Every event checked from the first."
            : "The newest checkpoint's head and every event since it checked."
        }
      >
        {report.ok ? (
          <Alert tone="success">
            {report.scope === "full"
              ? `Intact: all ${count} verified`
              : `Intact: ${count} through the newest one verified`}
            {report.checkpoint ? `, consistent with checkpoint #${report.checkpoint.id ?? "?"}.` : "."}
          </Alert>
        ) : (
          <Alert>
            <p className="font-medium">The audit log does not verify.</p>
            <ul className="mt-1 list-disc pl-5">
              {report.problems.map((problem) => (
                <li key={problem}>{problem}</li>
              ))}
            </ul>
          </Alert>
        )}
        {stale && (
          <p className="mt-3 text-sm text-amber-800" role="status">
            No checkpoint since {formatDateTime(latest.createdAt, { seconds: true })}. The scheduler signs one every
            hour: it is not running, or newer checkpoints were removed.
          </p>
        )}
        <p className="mt-3 text-sm text-slate-600">
          Events are chained with a key the database does not hold, and the head is signed with the organisation&apos;s
          sealing certificate. Keep downloaded checkpoints outside Clearance and check one with{" "}
          <code className="text-xs">npm run audit:verify -- --checkpoint FILE</code>.
        </p>
      </Card>
      <Card
        title="Signed checkpoints"
        actions={
          <ActionButton
            action={createCheckpoint}
            fields={{}}
            label="Create checkpoint now"
            variant="secondary"
            pendingLabel="Signing…"
          />
        }
      >
        {!latest ? (
          <p className="text-sm text-slate-600">No checkpoint yet. The scheduler signs the first within the hour.</p>
        ) : (
          <ul className="divide-y divide-slate-100 text-sm">
            {checkpoints.map((c) => (
              <li key={c.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
                <span>
                  <span className="font-medium">#{c.id}</span> {formatDateTime(c.createdAt, { seconds: true })}{" "}
                  <Badge tone={c.trigger === "manual" ? "info" : "neutral"}>{c.trigger}</Badge>
                  <span className="block text-xs text-slate-500">
                    {eventsInWords(c.eventCount)} through #{c.headId}, head{" "}
                    <span className="font-mono">{c.headHash.slice(0, 16)}…</span>
                  </span>
                </span>
                <Link
                  className="underline"
                  href={`/audit/checkpoints/${c.id}`}
                  prefetch={false}
                  aria-label={`Download checkpoint ${c.id} (JSON)`}
                >
                  Download
                </Link>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
