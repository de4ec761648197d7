import type { Metadata } from "next";
import Link from "next/link";

import { Badge } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { inputClass } from "@/components/ui/field";
import { Pagination } from "@/components/ui/pagination";
import { Table } from "@/components/ui/table";
import {
  approvalQuery,
  parseApprovalFilters,
  pendingApprovals,
  revocableGrants,
  rolesDecidedBy,
  type Paged,
} from "@/lib/access/approval-lists";
import { describeReason } from "@/lib/access/describe";
import { requireViewer } from "@/lib/auth/gate";
import { formatDate, isoDateInDays } from "@/lib/format";

import { DecisionForm, RevokeForm } from "./decision-form";

export const metadata: Metadata = { title: "Access approvals" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** "Showing 26–50 of 6,005", or nothing when the list is empty. */
function showing(list: Paged<unknown>): string | undefined {
  if (list.total === 0) return undefined;
  const first = (list.page - 1) * list.pageSize + 1;
  return `Showing ${first.toLocaleString("en")}–${(first + list.rows.length - 1).toLocaleString("en")} of ${list.total.toLocaleString("en")}`;
}

export default async function ApprovalsPage({ searchParams }: Props) {
  const viewer = await requireViewer("page:/access/approvals");
  const now = new Date();
  const filters = parseApprovalFilters(await searchParams);
  const [pending, grants] = await Promise.all([
    pendingApprovals(viewer, filters, now),
    revocableGrants(viewer, filters),
  ]);
  const filtered = Boolean(filters.q || filters.role);
  const roles = rolesDecidedBy(viewer);
  return (
    <>
      <PageHeader
        title="Access approvals"
        description="Approve or deny requests for data-access roles. An approved role is held only while the person's training and agreements stay current."
      />
      <form
        action="/access/approvals"
        aria-label="Filter requests and grants"
        className="mb-6 grid gap-3 sm:grid-cols-[1fr_16rem_auto] sm:items-end"
      >
        <div>
          <label htmlFor="approvals-q" className="block text-sm font-medium text-slate-800">
            Search
          </label>
          <input
            id="approvals-q"
            type="search"
            name="q"
            defaultValue={filters.q}
            placeholder="Name or email"
            className={`mt-1 ${inputClass}`}
          />
        </div>
        <div>
          <label htmlFor="approvals-role" className="block text-sm font-medium text-slate-800">
            Role
          </label>
          <select
            id="approvals-role"
            name="role"
            defaultValue={filters.role ?? ""}
            className={`mt-1 ${inputClass} pr-8`}
          >
            <option value="">All roles</option>
            {roles.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </div>
        <div className="flex items-center gap-3">
          <button type="submit" className={buttonClass("primary")}>
            Apply filters
          </button>
          {filtered && (
            <Link href="/access/approvals" className="text-sm font-medium text-brand-700 underline underline-offset-2">
              Clear filters
            </Link>
          )}
        </div>
      </form>
      <div className="space-y-6">
        <Card title={`Pending requests (${pending.total.toLocaleString("en")})`} id="pending">
          {pending.rows.length === 0 ? (
            <EmptyState title={filtered ? "No requests match these filters" : "No requests waiting for you"} />
          ) : (
            <ul className="divide-y divide-slate-100">
              {pending.rows.map((r) => (
                <li key={r.id} id={`request-${r.id}`} className="scroll-mt-4 space-y-3 py-4" data-request={r.id}>
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
                    {r.requirementsMet ? (
                      <Badge tone="success">Requirements met</Badge>
                    ) : (
                      <Badge tone="warning">Will be blocked</Badge>
                    )}
                  </div>
                  {!r.requirementsMet && (
                    <p className="text-sm text-amber-800">
                      Still open:{" "}
                      {r.missing
                        .map((m) => describeReason(m, "them").text.replace(/^./, (c) => c.toLowerCase()))
                        .join("; ")}
                      .
                    </p>
                  )}
                  <DecisionForm grantId={r.id} name={r.name} maxEnd={isoDateInDays(r.maxGrantDays, now)} />
                </li>
              ))}
            </ul>
          )}
          <Pagination
            label="Pending requests pages"
            page={pending.page}
            pageCount={pending.pageCount}
            summary={showing(pending)}
            queryFor={(page) => approvalQuery(filters, { page })}
            anchor="pending"
          />
        </Card>
        <Card title={`Approved grants (${grants.total.toLocaleString("en")})`} id="grants">
          <Table
            caption="Approved grants you can revoke, newest decision first"
            hideCaption
            columns={[
              { header: "Person", cell: (g) => g.name },
              { header: "Role", cell: (g) => g.roleName },
              { header: "Approved", cell: (g) => (g.decidedAt ? formatDate(g.decidedAt) : "—") },
              { header: "Ends", cell: (g) => (g.endsAt ? formatDate(g.endsAt) : "No end date") },
              {
                header: <span className="sr-only">Actions</span>,
                className: "text-right",
                cell: (g) => <RevokeForm grantId={g.id} label={`Revoke ${g.roleName} for ${g.name}`} />,
              },
            ]}
            rows={grants.rows}
            rowKey={(g) => g.id}
            empty={filtered ? "No approved grants match these filters" : "No approved grants"}
            pagination={{
              label: "Approved grants pages",
              page: grants.page,
              pageCount: grants.pageCount,
              summary: showing(grants),
              queryFor: (page) => approvalQuery(filters, { grants: page }),
              anchor: "grants",
            }}
          />
        </Card>
      </div>
    </>
  );
}
