import type { Metadata } from "next";
import { Badge } from "@/components/ui/badge";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { pendingApprovals, revocableGrants } from "@/lib/access/approvals";
import { describeReason } from "@/lib/access/describe";
import { requireRole } from "@/lib/auth/viewer";
import { formatDate } from "@/lib/format";
import { DecisionForm, RevokeForm } from "./decision-form";

export const metadata: Metadata = { title: "Access approvals" };

export default async function ApprovalsPage() {
  const viewer = await requireRole("manager", "compliance_admin");
  const now = new Date();
  const [pending, grants] = await Promise.all([pendingApprovals(viewer, now), revocableGrants(viewer)]);
  return (
    <>
      <PageHeader title="Access approvals" description="Approve or deny requests for data-access roles. An approved role is held only while the person's training and agreements stay current." />
      <div className="space-y-6">
        <Card title={`Pending requests (${pending.length})`}>
          {pending.length === 0 ? (
            <EmptyState title="No requests waiting for you" />
          ) : (
            <ul className="divide-y divide-slate-100">
              {pending.map((r) => (
                <li key={r.id} className="space-y-3 py-4" data-request={r.id}>
                  <div className="flex flex-wrap items-start justify-between gap-2">
                    <div>
                      <p className="font-medium text-slate-900">
                        {r.name} <span className="font-normal text-slate-500">asks for</span> {r.roleName}
                      </p>
                      <p className="text-xs text-slate-500">
                        {r.email} · requested {formatDate(r.requestedAt)}
                      </p>
                      <p className="mt-1 text-sm text-slate-700">“{r.justification}”</p>
                    </div>
                    {r.requirementsMet ? <Badge tone="success">Requirements met</Badge> : <Badge tone="warning">Will be blocked</Badge>}
                  </div>
                  {!r.requirementsMet && (
                    <p className="text-sm text-amber-800">
                      Until they: {r.missing.map((m) => describeReason(m).text.replace(/^./, (c) => c.toLowerCase())).join("; ")}.
                    </p>
                  )}
                  <DecisionForm grantId={r.id} name={r.name} maxEnd={new Date(now.getTime() + r.maxGrantDays * 86_400_000).toISOString().slice(0, 10)} />
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title="Approved grants">
          {grants.length === 0 ? (
            <EmptyState title="No approved grants" />
          ) : (
            <table className="w-full text-left text-sm">
              <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase">
                <tr>
                  <th scope="col" className="py-2 pr-3">Person</th>
                  <th scope="col" className="py-2 pr-3">Role</th>
                  <th scope="col" className="py-2 pr-3">Approved</th>
                  <th scope="col" className="py-2 pr-3">Ends</th>
                  <th scope="col" className="py-2"><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {grants.map((g) => (
                  <tr key={g.id}>
                    <td className="py-2 pr-3">{g.name}</td>
                    <td className="py-2 pr-3">{g.roleName}</td>
                    <td className="py-2 pr-3">{g.decidedAt ? formatDate(g.decidedAt) : "—"}</td>
                    <td className="py-2 pr-3">{g.endsAt ? formatDate(g.endsAt) : "No end date"}</td>
                    <td className="py-2 text-right">
                      <RevokeForm grantId={g.id} label={`Revoke ${g.roleName} for ${g.name}`} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
      </div>
    </>
  );
}
