import type { Metadata } from "next";
import Link from "next/link";

import { Badge } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { inputClass } from "@/components/ui/field";
import { listAuditEvents } from "@/lib/audit/list-events";
import { auditIntegrity, listAuditCheckpoints } from "@/lib/audit/read-checkpoints";
import { requireViewer } from "@/lib/auth/gate";
import { formatDateTime } from "@/lib/format";

import { IntegrityPanel } from "./integrity-panel";

export const metadata: Metadata = { title: "Audit log" };

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
                    <td className="py-2 pr-3 whitespace-nowrap">{formatDateTime(e.at, { seconds: true })}</td>
                    <td className="py-2 pr-3">
                      {e.actorLabel}
                      {e.ip && <span className="block text-xs text-slate-500">{e.ip}</span>}
                    </td>
                    <td className="py-2 pr-3">
                      <Badge tone={e.action.includes("failed") || e.action.includes("locked") ? "warning" : "neutral"}>
                        {e.action}
                      </Badge>
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
            <Link className="underline" href={{ query: { action: params.action, before: nextBefore } }}>
              Older events
            </Link>
          </div>
        )}
      </Card>
    </>
  );
}
