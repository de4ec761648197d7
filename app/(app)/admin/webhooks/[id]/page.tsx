import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { Badge } from "@/components/ui/badge";
import { Card, PageHeader } from "@/components/ui/card";
import { Table } from "@/components/ui/table";
import { requireViewer } from "@/lib/auth/gate";
import { formatDate, formatDateTime } from "@/lib/format";
import { isUuid } from "@/lib/ids";
import { webhookDeliveryLog, type DeliveryLogRow } from "@/lib/webhooks/manage-webhooks";

export const metadata: Metadata = { title: "Webhook deliveries" };

const tones = { pending: "info", sending: "info", delivered: "success", failed: "danger" } as const;

function statusDetail(d: DeliveryLogRow): string | null {
  if (d.status === "pending" && d.attempts > 0) return `next try ${formatDateTime(d.nextAttemptAt)}`;
  if (d.status === "pending") return "waiting to be sent";
  return null;
}

export default async function WebhookDeliveriesPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ page?: string }>;
}) {
  const viewer = await requireViewer("page:/admin/webhooks/[id]");
  const { id } = await params;
  if (!isUuid(id)) notFound();
  const log = await webhookDeliveryLog(viewer, id, { page: Number((await searchParams).page) || 1 });
  if (!log) notFound();
  const { webhook, deliveries, total, page, pageSize } = log;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/admin/webhooks" className="text-brand-700 hover:underline">
          ← Webhooks
        </Link>
      </p>
      <PageHeader
        title="Delivery log"
        description={
          <>
            <span className="font-medium break-all text-slate-800">{webhook.url}</span> · added{" "}
            {formatDate(webhook.createdAt)} · {webhook.active ? "active" : "deactivated"} · {total.toLocaleString("en")}{" "}
            deliveries
          </>
        }
      />
      <Card>
        <Table
          caption="Deliveries to this webhook, newest first"
          hideCaption
          striped
          columns={[
            {
              header: "Created",
              className: "whitespace-nowrap text-slate-600",
              cell: (d) => formatDateTime(d.createdAt),
            },
            {
              header: "Event",
              cell: (d) => (
                <>
                  <span className="font-mono text-xs text-slate-900">{d.eventType}</span>
                  {d.eventId && <span className="block text-xs break-all text-slate-500">{d.eventId}</span>}
                  <span className="block font-mono text-[11px] text-slate-500" title="The Clearance-Delivery header">
                    {d.id}
                  </span>
                </>
              ),
            },
            {
              header: "Status",
              cell: (d) => (
                <>
                  <Badge tone={tones[d.status]}>{d.status}</Badge>
                  {statusDetail(d) && <span className="block text-xs text-slate-500">{statusDetail(d)}</span>}
                </>
              ),
            },
            { header: "Attempts", numeric: true, cell: (d) => d.attempts },
            {
              header: "Last answer",
              // An HTTP failure's reason already names its status code.
              cell: (d) =>
                d.lastError ? (
                  <span className="block max-w-xs text-xs text-red-700">{d.lastError}</span>
                ) : d.lastStatusCode !== null ? (
                  <span className="font-mono text-xs">HTTP {d.lastStatusCode}</span>
                ) : (
                  <span className="text-slate-500">—</span>
                ),
            },
            {
              header: "Delivered",
              className: "whitespace-nowrap text-slate-600",
              cell: (d) => (d.deliveredAt ? formatDateTime(d.deliveredAt) : "—"),
            },
          ]}
          rows={deliveries}
          rowKey={(d) => d.id}
          empty="Nothing sent yet"
          emptyDetail={`Deliveries appear here when a subscribed event happens (${webhook.eventTypes.join(", ")}).`}
          pagination={{
            label: "Delivery pages",
            page,
            pageCount: pages,
            queryFor: (p) => ({ page: String(p) }),
            previousLabel: "Newer",
            nextLabel: "Older",
          }}
        />
      </Card>
    </>
  );
}
