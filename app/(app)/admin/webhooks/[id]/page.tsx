import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { Badge } from "@/components/ui/badge";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
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
        {deliveries.length === 0 ? (
          <EmptyState title="Nothing sent yet">
            Deliveries appear here when a subscribed event happens ({webhook.eventTypes.join(", ")}).
          </EmptyState>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">Deliveries to this webhook, newest first</caption>
              <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase">
                <tr>
                  <th scope="col" className="py-2 pr-3">
                    Created
                  </th>
                  <th scope="col" className="py-2 pr-3">
                    Event
                  </th>
                  <th scope="col" className="py-2 pr-3">
                    Status
                  </th>
                  <th scope="col" className="py-2 pr-3">
                    Attempts
                  </th>
                  <th scope="col" className="py-2 pr-3">
                    Last answer
                  </th>
                  <th scope="col" className="py-2">
                    Delivered
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 align-top">
                {deliveries.map((d) => (
                  <tr key={d.id}>
                    <td className="py-2 pr-3 whitespace-nowrap text-slate-600">{formatDateTime(d.createdAt)}</td>
                    <td className="py-2 pr-3">
                      <span className="font-mono text-xs text-slate-900">{d.eventType}</span>
                      {d.eventId && <span className="block text-xs break-all text-slate-500">{d.eventId}</span>}
                      <span
                        className="block font-mono text-[11px] text-slate-500"
                        title="The Clearance-Delivery header"
                      >
                        {d.id}
                      </span>
                    </td>
                    <td className="py-2 pr-3">
                      <Badge tone={tones[d.status]}>{d.status}</Badge>
                      {statusDetail(d) && <span className="block text-xs text-slate-500">{statusDetail(d)}</span>}
                    </td>
                    <td className="py-2 pr-3 tabular-nums">{d.attempts}</td>
                    <td className="py-2 pr-3">
                      {/* An HTTP failure's reason already names its status code. */}
                      {d.lastError ? (
                        <span className="block max-w-xs text-xs text-red-700">{d.lastError}</span>
                      ) : d.lastStatusCode !== null ? (
                        <span className="font-mono text-xs">HTTP {d.lastStatusCode}</span>
                      ) : (
                        <span className="text-slate-500">—</span>
                      )}
                    </td>
                    <td className="py-2 whitespace-nowrap text-slate-600">
                      {d.deliveredAt ? formatDateTime(d.deliveredAt) : "—"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {pages > 1 && (
          <p className="mt-4 flex gap-3 text-sm">
            {page > 1 && (
              <Link className="underline" href={{ query: { page: page - 1 } }}>
                Newer
              </Link>
            )}
            {page < pages && (
              <Link className="underline" href={{ query: { page: page + 1 } }}>
                Older
              </Link>
            )}
          </p>
        )}
      </Card>
    </>
  );
}
