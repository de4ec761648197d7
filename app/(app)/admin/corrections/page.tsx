import type { Metadata } from "next";
import Link from "next/link";

import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { requireViewer } from "@/lib/auth/gate";
import { formatDate } from "@/lib/format";
import { CORRECTABLE_FIELDS, openCorrections } from "@/lib/privacy/preferences";

import { ResolveForm } from "./resolve-form";

export const metadata: Metadata = { title: "Correction requests" };

export default async function CorrectionsPage() {
  const viewer = await requireViewer("page:/admin/corrections");
  const open = await openCorrections(viewer);
  return (
    <>
      <PageHeader
        title="Correction requests"
        description="People asking for their record to be corrected. Edit the record on the People page, then mark the request corrected."
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
                <ResolveForm id={c.id} />
              </li>
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}
