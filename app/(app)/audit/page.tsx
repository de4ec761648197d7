import type { Metadata } from "next";
import Link from "next/link";

import { buttonClass } from "@/components/ui/button";
import { Card, PageHeader } from "@/components/ui/card";
import { Table } from "@/components/ui/table";
import { getDb } from "@/db/client";
import { describeAuditEvents, type NamedPerson } from "@/lib/audit/describe";
import { auditFilterQuery, parseAuditFilters, withoutPaging } from "@/lib/audit/explore.rules";
import { listAuditEvents } from "@/lib/audit/list-events";
import { auditIntegrity, listAuditCheckpoints } from "@/lib/audit/read-checkpoints";
import { requireViewer } from "@/lib/auth/gate";
import { formatDateTime, plural } from "@/lib/format";

import { AuditActionCell } from "./audit-action-cell";
import { AuditFilterForm } from "./audit-filters";
import { IntegrityPanel } from "./integrity-panel";

export const metadata: Metadata = { title: "Audit log" };

function PersonLink({ person }: { person: NamedPerson }) {
  return (
    <Link className="underline" href={`/admin/people/${person.id}`}>
      {person.name}
    </Link>
  );
}

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const viewer = await requireViewer("page:/audit");
  const params = await searchParams;
  const filters = parseAuditFilters(params);
  const [{ rows, nextBefore, total, matching }, report, checkpoints] = await Promise.all([
    listAuditEvents(viewer, filters),
    auditIntegrity(viewer, { full: params.verify === "1" }),
    listAuditCheckpoints(viewer),
  ]);
  const words = await describeAuditEvents(await getDb(), rows);
  const kept = withoutPaging(filters);
  const filtered = Object.keys(kept).length > 0;
  return (
    <>
      <PageHeader
        title="Audit log"
        description={`${plural(total, "event")}. Each event carries a keyed hash of itself and the one before it, and signed checkpoints fix the head, so an edit, a deletion or a rewrite breaks the chain.`}
        actions={
          <Link href={`/audit${auditFilterQuery(filters, { verify: "1" })}`} className={buttonClass("secondary")}>
            Verify from the first event
          </Link>
        }
      />
      <IntegrityPanel report={report} checkpoints={checkpoints} now={new Date()} />
      <Card>
        <AuditFilterForm filters={filters} />
        <p className="mb-2 text-sm text-slate-600" role="status">
          {filtered
            ? `${matching.toLocaleString("en")} of ${total.toLocaleString("en")} events match, newest first.`
            : "Newest first."}
        </p>
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
              header: "What happened",
              cell: (e) => {
                const w = words.get(e.id);
                return (
                  <>
                    <span className="text-slate-900">{w?.sentence ?? e.label}</span>
                    {w?.person && w.person.id !== w.actor?.id && (
                      <span className="block text-xs text-slate-500">
                        Concerns <PersonLink person={w.person} />
                      </span>
                    )}
                  </>
                );
              },
            },
            {
              header: "Actor",
              cell: (e) => {
                const actor = words.get(e.id)?.actor;
                return (
                  <>
                    {actor ? <PersonLink person={actor} /> : e.actorLabel}
                    {e.ip && <span className="block text-xs text-slate-500">{e.ip}</span>}
                  </>
                );
              },
            },
            {
              header: "Event",
              cell: (e) => <AuditActionCell action={e.action} label={e.label} refused={e.outcome === "refused"} />,
            },
            {
              header: "Details",
              className: "text-xs text-slate-600",
              cell: (e) => (
                <details>
                  <summary className="cursor-pointer">Stored record</summary>
                  <dl className="mt-1 space-y-1 font-mono break-all">
                    {e.targetType && (
                      <div>
                        <dt className="inline text-slate-500">target: </dt>
                        <dd className="inline">
                          {e.targetType} {e.targetId}
                        </dd>
                      </div>
                    )}
                    <div>
                      <dt className="inline text-slate-500">data: </dt>
                      <dd className="inline">{JSON.stringify(e.data)}</dd>
                    </div>
                    <div>
                      <dt className="inline text-slate-500">hash: </dt>
                      <dd className="inline">{e.hash}</dd>
                    </div>
                  </dl>
                </details>
              ),
            },
          ]}
          rows={rows}
          rowKey={(e) => e.id}
          empty={filtered ? "No events match these filters." : "No events yet."}
        />
        {nextBefore && (
          <div className="mt-4 text-sm">
            <Link className="underline" href={`/audit${auditFilterQuery({ ...kept, before: nextBefore })}`}>
              Older events
            </Link>
          </div>
        )}
      </Card>
    </>
  );
}
