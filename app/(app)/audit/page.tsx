import type { Metadata } from "next";
import Link from "next/link";

import { Badge } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { Card, PageHeader } from "@/components/ui/card";
import { inputClass } from "@/components/ui/field";
import { Table } from "@/components/ui/table";
import { listAuditEvents } from "@/lib/audit/list-events";
import { auditIntegrity, listAuditCheckpoints } from "@/lib/audit/read-checkpoints";
import { requireViewer } from "@/lib/auth/gate";

import { IntegrityPanel } from "./integrity-panel";

export const metadata: Metadata = { title: "Audit log" };

const utc = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<{ before?: string; action?: string; verify?: string }>;
}) {
  const viewer = await requireViewer("page:/audit");
  const params = await searchParams;
  const before = Number(params.before) || undefined;
  const [{ rows, nextBefore, total }, report, checkpoints] = await Promise.all([
    listAuditEvents(viewer, { before, action: params.action }),
    auditIntegrity(viewer, { full: params.verify === "1" }),
    listAuditCheckpoints(viewer),
  ]);
  return (
    <>
      <PageHeader
        title="Audit log"
        description={`${total.toLocaleString("en")} events. Each event carries a keyed hash of itself and the one before it, and signed checkpoints fix the head, so an edit, a deletion or a rewrite breaks the chain.`}
        actions={
          <Link href={{ query: { ...params, verify: "1" } }} className={buttonClass("secondary")}>
            Verify from the first event
          </Link>
        }
      />
      <IntegrityPanel report={report} checkpoints={checkpoints} now={new Date()} />
      <Card>
        <form className="mb-4 flex gap-2" action="/audit">
          <label htmlFor="audit-action" className="sr-only">
            Filter by action
          </label>
          <input
            id="audit-action"
            name="action"
            defaultValue={params.action}
            placeholder="Filter by action, e.g. auth. or person."
            className={`${inputClass} max-w-sm`}
          />
          <button className="rounded-md border border-slate-300 bg-white px-3 text-sm hover:bg-slate-50">Filter</button>
        </form>
        <Table
          caption="Audit events, newest first"
          hideCaption
          striped
          columns={[
            { header: "#", className: "font-mono text-xs text-slate-500", cell: (e) => e.id },
            { header: "Time (UTC)", className: "whitespace-nowrap", cell: (e) => utc.format(e.at) },
            {
              header: "Actor",
              cell: (e) => (
                <>
                  {e.actorLabel}
                  {e.ip && <span className="block text-xs text-slate-500">{e.ip}</span>}
                </>
              ),
            },
            {
              header: "Action",
              cell: (e) => (
                <Badge tone={e.action.includes("failed") || e.action.includes("locked") ? "warning" : "neutral"}>
                  {e.action}
                </Badge>
              ),
            },
            {
              header: "Target",
              className: "text-xs text-slate-600",
              cell: (e) => (e.targetType ? `${e.targetType} ${e.targetId?.slice(0, 8) ?? ""}` : "—"),
            },
            {
              header: "Details",
              className: "font-mono text-xs break-all text-slate-600",
              cell: (e) => JSON.stringify(e.data),
            },
          ]}
          rows={rows}
          rowKey={(e) => e.id}
          empty="No events match"
        />
        {nextBefore && (
          <div className="mt-4 text-sm">
            <Link className="underline" href={{ query: { action: params.action, before: nextBefore } }}>
              Older events
            </Link>
          </div>
        )}
      </Card>
    </>
  );
}
