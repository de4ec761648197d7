import type { Metadata } from "next";
import Link from "next/link";

import { buttonClass } from "@/components/ui/button";
import { Card, PageHeader } from "@/components/ui/card";
import { Table } from "@/components/ui/table";
import { auditCategorySchema } from "@/lib/audit/actions";
import { listAuditEvents } from "@/lib/audit/list-events";
import { auditIntegrity, listAuditCheckpoints } from "@/lib/audit/read-checkpoints";
import { requireViewer } from "@/lib/auth/gate";
import { formatDateTime, plural } from "@/lib/format";

import { AuditActionCell } from "./audit-action-cell";
import { AuditFilters } from "./audit-filters";
import { IntegrityPanel } from "./integrity-panel";

export const metadata: Metadata = { title: "Audit log" };

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<{ before?: string; action?: string; category?: string; verify?: string }>;
}) {
  const viewer = await requireViewer("page:/audit");
  const params = await searchParams;
  const before = Number(params.before) || undefined;
  const category = auditCategorySchema.safeParse(params.category).data;
  const [{ rows, nextBefore, total }, report, checkpoints] = await Promise.all([
    listAuditEvents(viewer, { before, action: params.action, category }),
    auditIntegrity(viewer, { full: params.verify === "1" }),
    listAuditCheckpoints(viewer),
  ]);
  return (
    <>
      <PageHeader
        title="Audit log"
        description={`${plural(total, "event")}. Each event carries a keyed hash of itself and the one before it, and signed checkpoints fix the head, so an edit, a deletion or a rewrite breaks the chain.`}
        actions={
          <Link href={{ query: { ...params, verify: "1" } }} className={buttonClass("secondary")}>
            Verify from the first event
          </Link>
        }
      />
      <IntegrityPanel report={report} checkpoints={checkpoints} now={new Date()} />
      <Card>
        <AuditFilters action={params.action} category={category} />
        <Table
          caption="Audit events, newest first"
          hideCaption
          striped
          columns={[
            { header: "#", className: "font-mono text-xs text-slate-500", cell: (e) => e.id },
            {
              header: "Time (UTC)",
              className: "whitespace-nowrap",
              cell: (e) => formatDateTime(e.at, { seconds: true }),
            },
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
              cell: (e) => <AuditActionCell action={e.action} label={e.label} />,
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
            <Link className="underline" href={{ query: { action: params.action, category, before: nextBefore } }}>
              Older events
            </Link>
          </div>
        )}
      </Card>
    </>
  );
}
