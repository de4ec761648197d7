import type { Metadata } from "next";
import Link from "next/link";

import { Badge } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { Card, PageHeader } from "@/components/ui/card";
import { inputClass } from "@/components/ui/field";
import { Table } from "@/components/ui/table";
import { emailCadences } from "@/db/schema";
import { requireViewer } from "@/lib/auth/gate";
import { formatDateTime } from "@/lib/format";
import { defaultEmailCadence } from "@/lib/notify/cadence";
import { ALWAYS_IMMEDIATE_NOTE, cadenceLabels } from "@/lib/notify/cadence.rules";
import { listOutbox, type OutboxStatus } from "@/lib/notify/list-outbox";

import { EmailCadenceForm } from "../../account/email-cadence-form";
import { setDefaultCadence } from "./actions";

export const metadata: Metadata = { title: "Outbox" };

const tones = { queued: "info", sending: "info", sent: "success", failed: "danger" } as const;
const statuses: OutboxStatus[] = ["queued", "sending", "sent", "failed"];

export default async function OutboxPage({
  searchParams,
}: {
  searchParams: Promise<{ status?: string; to?: string; page?: string }>;
}) {
  const viewer = await requireViewer("page:/admin/outbox");
  const params = await searchParams;
  const status = statuses.find((s) => s === params.status);
  const to = typeof params.to === "string" ? params.to.trim().slice(0, 320) : "";
  const { rows, total, page, pageSize } = await listOutbox(viewer, { status, to, page: Number(params.page) || 1 });
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const cadence = await defaultEmailCadence(viewer);
  return (
    <>
      <PageHeader
        title="Outbox"
        description="Every email Clearance sends. Without SMTP configured, messages stay here so you can read them and pass them on."
      />
      <Card>
        <div className="mb-4 flex flex-wrap items-end justify-between gap-4">
          <nav aria-label="Filter by status" className="flex flex-wrap gap-2 text-sm">
            <Link
              href={{ query: to ? { to } : {} }}
              aria-current={!status ? "page" : undefined}
              className={`rounded-full px-3 py-1 ${!status ? "bg-brand-50 text-brand-800" : "text-slate-600 hover:bg-slate-100"}`}
            >
              All
            </Link>
            {statuses.map((s) => (
              <Link
                key={s}
                href={{ query: to ? { status: s, to } : { status: s } }}
                aria-current={status === s ? "page" : undefined}
                className={`rounded-full px-3 py-1 capitalize ${status === s ? "bg-brand-50 text-brand-800" : "text-slate-600 hover:bg-slate-100"}`}
              >
                {s}
              </Link>
            ))}
          </nav>
          <form role="search" aria-label="Emails by recipient" className="flex items-end gap-2">
            {status && <input type="hidden" name="status" value={status} />}
            <label className="text-sm">
              <span className="mb-1 block font-medium text-slate-700">Recipient</span>
              <input
                type="search"
                name="to"
                defaultValue={to}
                placeholder="name@example.com"
                className={`${inputClass} w-64`}
              />
            </label>
            <button type="submit" className={buttonClass("secondary")}>
              Search
            </button>
          </form>
        </div>
        <Table
          caption="Emails, newest first"
          hideCaption
          striped
          columns={[
            {
              header: "Queued",
              className: "whitespace-nowrap text-slate-600",
              cell: (m) => formatDateTime(m.createdAt),
            },
            { header: "To", cell: (m) => m.toEmail },
            {
              header: "Subject",
              cell: (m) => (
                <Link href={`/admin/outbox/${m.id}`} className="font-medium text-brand-700 hover:underline">
                  {m.subject}
                </Link>
              ),
            },
            {
              header: "Status",
              cell: (m) => (
                <>
                  <Badge tone={tones[m.status]}>{m.status}</Badge>
                  {m.lastError && <span className="block text-xs text-red-700">{m.lastError}</span>}
                </>
              ),
            },
          ]}
          rows={rows}
          rowKey={(m) => m.id}
          empty={to || status ? "No emails match this search" : "No emails here yet"}
          pagination={{
            label: "Outbox pages",
            page,
            pageCount: pages,
            queryFor: (p) => ({ ...(status ? { status } : {}), ...(to ? { to } : {}), page: String(p) }),
            previousLabel: "Newer",
            nextLabel: "Older",
          }}
        />
      </Card>
      <Card
        id="cadence"
        className="mt-6"
        title="How often people are emailed"
        description="The default for routine notifications: courses assigned and due, expiring certifications, agreements to sign, escalations. Each person may choose otherwise on their account page."
      >
        <EmailCadenceForm
          legend="Default cadence"
          current={cadence}
          options={emailCadences.map((value) => ({ value, label: cadenceLabels[value] }))}
          action={setDefaultCadence}
          note={ALWAYS_IMMEDIATE_NOTE}
        />
      </Card>
    </>
  );
}
