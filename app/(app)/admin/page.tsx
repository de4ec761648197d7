import type { Metadata } from "next";
import Link from "next/link";

import { ADMIN_ITEMS, navFor } from "@/components/app-nav";
import { PageHeader } from "@/components/ui/card";
import { requireViewer } from "@/lib/auth/gate";

export const metadata: Metadata = { title: "Administration" };

export default async function AdminHome() {
  const viewer = await requireViewer("page:/admin");
  return (
    <>
      <PageHeader
        title="Administration"
        description="Organisation-wide compliance: people, training, agreements, data access and the audit record."
      />
      <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        {navFor(viewer, ADMIN_ITEMS).map((item) => (
          <li key={item.href}>
            <Link
              href={item.href}
              className="block h-full rounded-xl border border-slate-200 bg-white p-5 shadow-sm transition hover:border-brand-600 hover:shadow"
            >
              <h2 className="font-semibold text-slate-900">{item.label}</h2>
              <p className="mt-1 text-sm text-slate-600">{item.description}</p>
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}
