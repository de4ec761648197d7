import type { Metadata } from "next";
import Link from "next/link";

import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { requireViewer } from "@/lib/auth/gate";
import { formatDate } from "@/lib/format";
import { departmentOptions } from "@/lib/people/person-editor";
import { isApplicable } from "@/lib/privacy/apply-correction";
import { CORRECTABLE_FIELDS, openCorrections } from "@/lib/privacy/preferences";

import { ApplyForm } from "./apply-form";
import { ResolveForm } from "./resolve-form";

type OpenCorrection = Awaited<ReturnType<typeof openCorrections>>[number];
type Department = { id: string; name: string };

/** What the record holds now, and the request's value as the form field should first show it. */
function review(c: OpenCorrection, departments: Department[]): { current: string; proposed: string } {
  const wanted = c.requestedValue.trim();
  switch (c.field) {
    case "name":
      return { current: c.name, proposed: wanted };
    case "title":
      return { current: c.title ?? "", proposed: wanted };
    case "manager":
      return { current: c.managerEmail ?? "", proposed: wanted };
    default: {
      // People write a department's name; the record holds its id. Unmatched, the current one stays chosen.
      const match = departments.find((d) => [d.id, d.name].some((v) => v.toLowerCase() === wanted.toLowerCase()));
      return { current: c.departmentName ?? "", proposed: match?.id ?? c.departmentId ?? "" };
    }
  }
}

export const metadata: Metadata = { title: "Correction requests" };

export default async function CorrectionsPage() {
  const viewer = await requireViewer("page:/admin/corrections");
  const [open, departments] = await Promise.all([openCorrections(viewer), departmentOptions()]);
  return (
    <>
      <PageHeader
        title="Correction requests"
        description="People asking for their record to be corrected. Review and apply a change to update the record and resolve the request in one step, or reject it."
      />
      <Card>
        {open.length === 0 ? (
          <EmptyState title="No open requests" />
        ) : (
          <ul className="divide-y divide-slate-100">
            {open.map((c) => (
              <li key={c.id} className="space-y-2 py-4">
                <p className="text-sm">
                  <span className="font-medium text-slate-900">{c.name}</span>{" "}
                  <span className="text-slate-500">({c.email})</span> asks to change{" "}
                  <strong>{CORRECTABLE_FIELDS[c.field as keyof typeof CORRECTABLE_FIELDS] ?? c.field}</strong> to “
                  {c.requestedValue}” · {formatDate(c.createdAt)}
                </p>
                {c.note && <p className="text-sm text-slate-600">“{c.note}”</p>}
                <Link
                  href={`/admin/people?q=${encodeURIComponent(c.email)}`}
                  className="text-sm text-brand-700 underline underline-offset-2"
                >
                  Open on the People page
                </Link>
                {isApplicable(c.field) && (
                  <details>
                    <summary className="cursor-pointer text-sm font-medium text-brand-700">Review and apply</summary>
                    <div className="mt-2">
                      <ApplyForm
                        id={c.id}
                        label={CORRECTABLE_FIELDS[c.field]}
                        {...review(c, departments)}
                        departments={c.field === "department" ? departments : undefined}
                      />
                    </div>
                  </details>
                )}
                <ResolveForm id={c.id} />
              </li>
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}
