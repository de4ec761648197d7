import type { Metadata } from "next";
import Link from "next/link";

import { buttonClass } from "@/components/ui/button";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { auditCategorySchema } from "@/lib/audit/actions";
import { listAuditEvents } from "@/lib/audit/list-events";
import { auditIntegrity, listAuditCheckpoints } from "@/lib/audit/read-checkpoints";
import { requireViewer } from "@/lib/auth/gate";

import { AuditActionCell } from "./audit-action-cell";
import { AuditFilters } from "./audit-filters";
import { IntegrityPanel } from "./integrity-panel";

export const metadata: Metadata = { title: "Audit log" };

const utc = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });

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
        description={`${total.toLocaleString("en")} events. Each event carries a keyed hash of itself and the one before it, and signed checkpoints fix the head, so an edit, a deletion or a rewrite breaks the chain.`}
        actions={
          <Link href={{ query: { ...params, verify: "1" } }} className={buttonClass("secondary")}>
            Verify from the first event
          </Link>
        }
      />
      <IntegrityPanel report={report} checkpoints={checkpoints} now={new Date()} />
      <Card>
        <AuditFilters action={params.action} category={category} />
        {rows.length === 0 ? (
          <EmptyState title="No events match" />
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">Audit events, newest first</caption>
              <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase">
                <tr>
                  <th scope="col" className="py-2 pr-3">
                    #
                  </th>
                  <th scope="col" className="py-2 pr-3">
                    Time (UTC)
                  </th>
                  <th scope="col" className="py-2 pr-3">
                    Actor
                  </th>
                  <th scope="col" className="py-2 pr-3">
                    Action
                  </th>
                  <th scope="col" className="py-2 pr-3">
                    Target
                  </th>
                  <th scope="col" className="py-2">
                    Details
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 align-top">
                {rows.map((e) => (
                  <tr key={e.id}>
                    <td className="py-2 pr-3 font-mono text-xs text-slate-500">{e.id}</td>
                    <td className="py-2 pr-3 whitespace-nowrap">{utc.format(e.at)}</td>
                    <td className="py-2 pr-3">
                      {e.actorLabel}
                      {e.ip && <span className="block text-xs text-slate-500">{e.ip}</span>}
                    </td>
                    <td className="py-2 pr-3">
                      <AuditActionCell action={e.action} label={e.label} />
                    </td>
                    <td className="py-2 pr-3 text-xs text-slate-600">
                      {e.targetType ? `${e.targetType} ${e.targetId?.slice(0, 8) ?? ""}` : "—"}
                    </td>
                    <td className="py-2 font-mono text-xs break-all text-slate-600">{JSON.stringify(e.data)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
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
