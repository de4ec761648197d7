import type { Metadata } from "next";
import Link from "next/link";

import { Badge, personStatusTone } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { Card, PageHeader } from "@/components/ui/card";
import { inputClass } from "@/components/ui/field";
import { Table } from "@/components/ui/table";
import { personStatuses, type PersonStatus } from "@/db/schema";
import { requireViewer } from "@/lib/auth/gate";
import { may } from "@/lib/auth/permissions";
import { listPeople } from "@/lib/people/manage-people";

import { PersonControls } from "./person-controls";

export const metadata: Metadata = { title: "People" };

const STATUS_LABELS: Record<PersonStatus, string> = { active: "Active", suspended: "Suspended", departed: "Departed" };
const ROLE_LABELS: Record<string, string> = {
  manager: "Manager",
  compliance_admin: "Compliance admin",
  auditor: "Auditor",
};

export default async function PeoplePage({
  searchParams,
}: {
  searchParams: Promise<{ q?: string; status?: string; page?: string }>;
}) {
  const viewer = await requireViewer("page:/admin/people");
  const params = await searchParams;
  const page = Math.max(1, Number(params.page) || 1);
  const status = personStatuses.find((s) => s === params.status);
  const result = await listPeople(viewer, { query: params.q, status, page });
  const canEdit = may(viewer, "administer");
  const pages = Math.max(1, Math.ceil(result.total / result.pageSize));
  const query = (overrides: Record<string, string | number | undefined>) => {
    const merged: Record<string, string | number | undefined> = {
      q: params.q || undefined,
      status,
      page: undefined,
      ...overrides,
    };
    return Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined && v !== "")) as Record<
      string,
      string
    >;
  };
  const filtered = Boolean(params.q || status);
  return (
    <>
      <PageHeader
        title="People"
        description={`${result.total.toLocaleString("en")} ${filtered ? "matching" : "people in the organisation"}. Suspended and departed people lose access at their next request; departed people no longer count in completion rates.`}
        actions={
          canEdit && (
            <div className="flex flex-wrap gap-3">
              <Link href="/admin/people/import" className={buttonClass("secondary")}>
                Import CSV
              </Link>
              <Link href="/admin/people/new" className={buttonClass("primary")}>
                Add person
              </Link>
            </div>
          )
        }
      />
      <Card>
        <form role="search" className="mb-4 flex flex-wrap items-end gap-2" action="/admin/people">
          <div>
            <label htmlFor="people-q" className="sr-only">
              Search people
            </label>
            <input
              id="people-q"
              name="q"
              type="search"
              defaultValue={params.q}
              placeholder="Name or email"
              className={`${inputClass} w-72 max-w-full`}
            />
          </div>
          <div>
            <label htmlFor="people-status" className="sr-only">
              Status
            </label>
            <select id="people-status" name="status" defaultValue={status ?? ""} className={`${inputClass} pr-8`}>
              <option value="">Any status</option>
              {personStatuses.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABELS[s]}
                </option>
              ))}
            </select>
          </div>
          <button className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm hover:bg-slate-50">
            Search
          </button>
          {filtered && (
            <Link
              href="/admin/people"
              className="px-1 py-2 text-sm font-medium text-brand-700 underline underline-offset-2"
            >
              Clear
            </Link>
          )}
        </form>
        <Table
          caption="People"
          hideCaption
          columns={[
            {
              header: "Person",
              cell: (p) => (
                <>
                  <Link href={`/admin/people/${p.id}`} className="font-medium text-slate-900 hover:underline">
                    {p.name}
                  </Link>
                  <p className="text-xs text-slate-500">{p.email}</p>
                  <p className="text-xs text-slate-500">
                    {p.title}
                    {p.managerName ? ` · reports to ${p.managerName}` : ""}
                  </p>
                </>
              ),
            },
            { header: "Department", cell: (p) => p.department ?? "—" },
            {
              header: "Roles",
              headerClassName: "min-w-36",
              cell: (p) => (
                <span className="flex flex-wrap gap-1">
                  {p.roles
                    .filter((r) => r !== "employee")
                    .map((r) => (
                      <Badge key={r} tone="info">
                        {ROLE_LABELS[r] ?? r}
                      </Badge>
                    ))}
                  {p.roles.every((r) => r === "employee") && <span className="text-xs text-slate-500">Employee</span>}
                </span>
              ),
            },
            { header: "Status", cell: (p) => <Badge tone={personStatusTone(p.status)}>{p.status}</Badge> },
            {
              header: "MFA",
              cell: (p) => (p.mfaEnabled ? <Badge tone="success">On</Badge> : <Badge>Off</Badge>),
            },
            canEdit && {
              header: "Manage",
              cell: (p) => <PersonControls personId={p.id} name={p.name} status={p.status} roles={p.roles} />,
            },
          ]}
          rows={result.rows}
          rowKey={(p) => p.id}
          rowAttributes={(p) => ({ "data-email": p.email })}
          empty="No one matches that search"
          pagination={{ page, pageCount: pages, queryFor: (p) => query({ page: p }) }}
        />
      </Card>
    </>
  );
}
