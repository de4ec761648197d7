import { ActionButton } from "@/components/action-button";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { Table } from "@/components/ui/table";
import { formatDateTime } from "@/lib/format";
import type { LrsStatus } from "@/lib/xapi/lrs-status";

import { disconnectLrs, resendStatements } from "./actions";
import { LrsForm } from "./lrs-form";

/**
 * Where xAPI statements go and how sending them fares. An admin connects the
 * store here, unless the deployment's settings name one (they take precedence).
 */
export function LrsCard({ status }: { status: LrsStatus }) {
  const { endpoint, counts } = status;
  const byAdmin = status.source === "admin";
  return (
    <Card
      title="Learning record store (xAPI)"
      description="Lessons completed, quiz attempts and results, certifications earned and expired, agreements signed and access changes, sent as xAPI 1.0.3 statements. A statement the store does not take is retried on the same schedule as a webhook."
    >
      {endpoint ? (
        <div className="space-y-4 text-sm text-slate-700">
          <dl className="grid gap-x-6 gap-y-2 sm:grid-cols-[auto_1fr]">
            <dt className="font-medium text-slate-900">Store</dt>
            <dd className="break-all" data-testid="lrs-endpoint">
              {endpoint}
            </dd>
            <dt className="font-medium text-slate-900">Set by</dt>
            <dd>
              {byAdmin
                ? `${status.updatedByName ?? "an administrator"}${status.updatedAt ? `, ${formatDateTime(status.updatedAt)}` : ""}`
                : "the deployment's settings (XAPI_LRS_URL); change it there"}
            </dd>
            <dt className="font-medium text-slate-900">Credentials</dt>
            <dd>
              {status.secretUnreadable ? (
                <Badge tone="danger">The stored secret cannot be decrypted: enter it again</Badge>
              ) : status.hasKey ? (
                "Key and secret set (the secret is never shown)"
              ) : (
                "None"
              )}
            </dd>
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
          {counts.failed > 0 && (
            <div className="flex flex-wrap items-center gap-3">
              <ActionButton
                action={resendStatements}
                fields={{}}
                label="Send the failed statements again"
                pendingLabel="Queuing…"
                variant="secondary"
              />
              <span className="text-xs text-slate-600">
                After an outage longer than the retries, or once the credentials are fixed.
              </span>
            </div>
          )}
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
        <p className="mb-4 text-sm text-slate-700">
          Not connected: no statements are queued. Enter your store&apos;s xAPI endpoint, key and secret below (or set{" "}
          <code>XAPI_LRS_URL</code> in the deployment&apos;s settings).
        </p>
      )}
      {status.source !== "environment" && (
        <div className={endpoint ? "mt-6 border-t border-slate-200 pt-4" : undefined}>
          {endpoint && <h3 className="mb-3 text-sm font-semibold text-slate-900">Change the connection</h3>}
          <LrsForm
            saved={
              byAdmin && endpoint
                ? { endpoint, username: status.username ?? "", actor: status.actor, hasSecret: status.hasKey }
                : null
            }
          />
          {byAdmin && (
            <div className="mt-4 border-t border-slate-200 pt-4">
              <ActionButton
                action={disconnectLrs}
                fields={{}}
                label="Disconnect"
                pendingLabel="Disconnecting…"
                variant="danger"
              />
            </div>
          )}
        </div>
      )}
    </Card>
  );
}
