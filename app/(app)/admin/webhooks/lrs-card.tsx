import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { Table } from "@/components/ui/table";
import { formatDateTime } from "@/lib/format";
import type { LrsStatus } from "@/lib/xapi/lrs-status";

/** Where xAPI statements go and how sending them fares; the LRS is set in the deployment's settings, not here. */
export function LrsCard({ status }: { status: LrsStatus }) {
  const { endpoint, counts } = status;
  return (
    <Card
      title="Learning record store (xAPI)"
      description="Lessons completed, quiz attempts and results, certifications earned and expired, agreements signed and access changes, sent as xAPI 1.0.3 statements. A statement the store does not take is retried on the same schedule as a webhook."
    >
      {endpoint ? (
        <div className="space-y-4 text-sm text-slate-700">
          <dl className="grid gap-x-6 gap-y-2 sm:grid-cols-[auto_1fr]">
            <dt className="font-medium text-slate-900">Store</dt>
            <dd className="break-all">{endpoint}</dd>
            <dt className="font-medium text-slate-900">People named by</dt>
            <dd>
              {status.actor === "mbox" ? "e-mail address (mbox)" : "their Clearance account id (no personal data)"}
            </dd>
            <dt className="font-medium text-slate-900">Statements</dt>
            <dd className="flex flex-wrap gap-2">
              {counts.sent + counts.waiting + counts.failed === 0 && "None yet"}
              {counts.sent > 0 && <Badge tone="success">{counts.sent} sent</Badge>}
              {counts.waiting > 0 && <Badge tone="info">{counts.waiting} waiting</Badge>}
              {counts.failed > 0 && <Badge tone="danger">{counts.failed} failed</Badge>}
            </dd>
          </dl>
          {status.problems.length > 0 && (
            <Table
              caption="Statements the store did not take"
              columns={[
                { header: "Statement", cell: (p) => <span className="font-medium">{p.verb}</span> },
                {
                  header: "Status",
                  cell: (p) =>
                    p.status === "failed" ? (
                      <Badge tone="danger">Failed</Badge>
                    ) : p.status === "sent" ? (
                      <Badge tone="success">
                        Sent after {p.attempts} failed {p.attempts === 1 ? "try" : "tries"}
                      </Badge>
                    ) : (
                      <Badge tone="info">Retry {formatDateTime(p.nextAttemptAt)}</Badge>
                    ),
                },
                { header: "Last error", className: "text-xs text-slate-600", cell: (p) => p.lastError },
              ]}
              rows={status.problems}
              rowKey={(p) => p.id}
              empty="None"
            />
          )}
        </div>
      ) : (
        <p className="text-sm text-slate-700">
          Not connected. Set <code>XAPI_LRS_URL</code>, <code>XAPI_LRS_USERNAME</code> and{" "}
          <code>XAPI_LRS_PASSWORD</code> in the deployment&apos;s settings to send statements to your learning record
          store.
        </p>
      )}
    </Card>
  );
}
