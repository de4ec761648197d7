import type { Metadata } from "next";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { inputClass } from "@/components/ui/field";
import { hasRole, requireRole } from "@/lib/auth/viewer";
import { listPeople } from "@/lib/people/manage-people";
import { PersonControls } from "./person-controls";

export const metadata: Metadata = { title: "People" };

const statusTone = { active: "success", suspended: "warning", departed: "neutral" } as const;

export default async function PeoplePage({ searchParams }: { searchParams: Promise<{ q?: string; page?: string }> }) {
  const viewer = await requireRole("compliance_admin", "auditor");
  const params = await searchParams;
  const page = Math.max(1, Number(params.page) || 1);
  const result = await listPeople(viewer, { query: params.q, page });
  const canEdit = hasRole(viewer, "compliance_admin");
  const pages = Math.max(1, Math.ceil(result.total / result.pageSize));
  return (
    <>
      <PageHeader title="People" description={`${result.total} people in the organisation. Suspended and departed people lose access at their next request.`} />
      <Card>
        <form role="search" className="mb-4 flex gap-2" action="/admin/people">
          <label htmlFor="people-q" className="sr-only">
            Search people
          </label>
          <input id="people-q" name="q" defaultValue={params.q} placeholder="Search by name or email" className={`${inputClass} max-w-sm`} />
          <button className="rounded-md border border-slate-300 bg-white px-3 text-sm hover:bg-slate-50">Search</button>
        </form>
        {result.rows.length === 0 ? (
          <EmptyState title="No one matches that search" />
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">People</caption>
              <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase">
                <tr>
                  <th scope="col" className="py-2 pr-4">Person</th>
                  <th scope="col" className="py-2 pr-4">Department</th>
                  <th scope="col" className="py-2 pr-4">Status</th>
                  <th scope="col" className="py-2 pr-4">MFA</th>
                  {canEdit && <th scope="col" className="py-2">Manage</th>}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {result.rows.map((p) => (
                  <tr key={p.id} data-email={p.email}>
                    <td className="py-3 pr-4 align-top">
                      <p className="font-medium text-slate-900">{p.name}</p>
                      <p className="text-xs text-slate-500">{p.email}</p>
                      <p className="text-xs text-slate-500">{p.title}{p.managerName ? ` · reports to ${p.managerName}` : ""}</p>
                    </td>
                    <td className="py-3 pr-4 align-top">{p.department ?? "—"}</td>
                    <td className="py-3 pr-4 align-top">
                      <Badge tone={statusTone[p.status]}>{p.status}</Badge>
                    </td>
                    <td className="py-3 pr-4 align-top">{p.mfaEnabled ? <Badge tone="success">On</Badge> : <Badge>Off</Badge>}</td>
                    {canEdit && (
                      <td className="py-3 align-top">
                        <PersonControls personId={p.id} name={p.name} status={p.status} roles={p.roles} />
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {pages > 1 && (
          <nav aria-label="Pagination" className="mt-4 flex items-center justify-between text-sm">
            <span className="text-slate-600">
              Page {page} of {pages}
            </span>
            <span className="flex gap-2">
              {page > 1 && <Link className="underline" href={{ query: { q: params.q, page: page - 1 } }}>Previous</Link>}
              {page < pages && <Link className="underline" href={{ query: { q: params.q, page: page + 1 } }}>Next</Link>}
            </span>
          </nav>
        )}
      </Card>
    </>
  );
}
