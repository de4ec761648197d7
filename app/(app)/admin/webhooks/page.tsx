import type { Metadata } from "next";
import Link from "next/link";

import { ActionButton } from "@/components/action-button";
import { Badge } from "@/components/ui/badge";
import { Card, PageHeader } from "@/components/ui/card";
import { Table } from "@/components/ui/table";
import { webhookEventTypes } from "@/db/schema";
import { requireViewer } from "@/lib/auth/gate";
import { formatDate } from "@/lib/format";
import { listWebhooks } from "@/lib/webhooks/manage-webhooks";
import { lrsStatus } from "@/lib/xapi/lrs-status";

import { deactivate } from "./actions";
import { CreateWebhookForm } from "./create-webhook-form";
import { eventTypeLabels } from "./event-types";
import { LrsCard } from "./lrs-card";

export const metadata: Metadata = { title: "Webhooks" };

export default async function WebhooksPage() {
  const viewer = await requireViewer("page:/admin/webhooks");
  const [hooks, lrs] = await Promise.all([listWebhooks(viewer), lrsStatus(viewer)]);
  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Tell other systems the moment access changes: Clearance POSTs a signed JSON event to each receiver, and retries for about 15 hours (after 1 min, 5 min, 30 min, 2 h and 12 h) when a receiver does not answer 2xx."
      />
      <div className="space-y-6">
        <Card title="Add a webhook">
          <CreateWebhookForm eventTypes={webhookEventTypes.map((type) => ({ type, label: eventTypeLabels[type] }))} />
        </Card>
        <Card title="Receivers">
          <Table
            caption="Webhooks, active first"
            hideCaption
            columns={[
              {
                header: "Receiver",
                cell: (hook) => (
                  <>
                    <Link
                      href={`/admin/webhooks/${hook.id}`}
                      className="font-medium break-all text-brand-700 hover:underline"
                    >
                      {hook.url}
                    </Link>
                    <span className="block text-xs text-slate-500">
                      Added {formatDate(hook.createdAt)}
                      {hook.createdByName && ` by ${hook.createdByName}`}
                    </span>
                  </>
                ),
              },
              {
                header: "Events",
                cell: (hook) => (
                  <ul className="flex max-w-xs flex-wrap gap-1" aria-label="Events">
                    {hook.eventTypes.map((t) => (
                      <li key={t}>
                        <Badge>{t}</Badge>
                      </li>
                    ))}
                  </ul>
                ),
              },
              {
                header: "Deliveries",
                className: "text-xs whitespace-nowrap text-slate-600",
                cell: (hook) => (
                  <>
                    {hook.deliveries.delivered} delivered
                    {hook.deliveries.pending + hook.deliveries.sending > 0 && (
                      <span className="block">{hook.deliveries.pending + hook.deliveries.sending} waiting</span>
                    )}
                    {hook.deliveries.failed > 0 && (
                      <span className="block text-red-700">{hook.deliveries.failed} failed</span>
                    )}
                  </>
                ),
              },
              {
                header: "Status",
                cell: (hook) => (hook.active ? <Badge tone="success">Active</Badge> : <Badge>Deactivated</Badge>),
              },
              {
                header: <span className="sr-only">Actions</span>,
                className: "text-right",
                cell: (hook) => (
                  <div className="flex flex-wrap items-start justify-end gap-2">
                    <Link
                      href={`/admin/webhooks/${hook.id}`}
                      className="rounded-md px-3 py-2 text-sm font-medium text-brand-700 hover:bg-slate-50"
                    >
                      Delivery log<span className="sr-only"> for {hook.url}</span>
                    </Link>
                    {hook.active && (
                      <ActionButton
                        action={deactivate}
                        fields={{ webhookId: hook.id }}
                        label="Deactivate"
                        pendingLabel="Deactivating…"
                        variant="danger"
                      />
                    )}
                  </div>
                ),
              },
            ]}
            rows={hooks}
            rowKey={(hook) => hook.id}
            empty="No webhooks yet"
            emptyDetail="Add one above to send events to another system."
          />
        </Card>
        <LrsCard status={lrs} />
        <Card title="Verifying a delivery">
          <div className="space-y-2 text-sm text-slate-700">
            <p>
              Every request is a <code>POST</code> with a JSON body <code>{"{ id, type, createdAt, data }"}</code> and
              the headers <code>Clearance-Event</code>, <code>Clearance-Delivery</code> (the same on every retry, so
              receivers can ignore repeats) and <code>Clearance-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex&gt;</code>.
            </p>
            <p>
              To verify, compute HMAC-SHA256 of <code>&lt;t&gt;.&lt;raw body&gt;</code> with the webhook&apos;s secret,
              compare it with <code>v1</code> in constant time, and refuse timestamps more than five minutes old.
            </p>
          </div>
        </Card>
      </div>
    </>
  );
}
