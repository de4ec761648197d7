import type { Metadata } from "next";
import Link from "next/link";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { hasRole, requireViewer } from "@/lib/auth/viewer";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const viewer = await requireViewer();
  const firstName = viewer.name.split(" ")[0];
  return (
    <>
      <PageHeader title={`Welcome, ${firstName}`} description="What you need to complete, and what you hold." />
      <div className="grid gap-6 lg:grid-cols-3">
        <Card title="Due and in progress" className="lg:col-span-2">
          <EmptyState title="Nothing is due right now">Courses and agreements assigned to you will appear here with their due dates.</EmptyState>
        </Card>
        <Card title="Your account">
          <dl className="space-y-3 text-sm">
            <div>
              <dt className="text-slate-500">Email</dt>
              <dd className="font-medium text-slate-900">{viewer.email}</dd>
            </div>
            <div>
              <dt className="text-slate-500">Two-factor authentication</dt>
              <dd className="font-medium text-slate-900">{viewer.mfaEnabled ? "On" : "Off"}</dd>
            </div>
          </dl>
          {!viewer.mfaEnabled && (
            <Link href="/account/mfa" className="mt-4 inline-block text-sm font-medium text-brand-700 underline underline-offset-2">
              Turn on two-factor authentication
            </Link>
          )}
          {hasRole(viewer, "compliance_admin", "auditor") && (
            <p className="mt-4 text-sm text-slate-600">
              Organisation records:{" "}
              <Link className="font-medium text-brand-700 underline underline-offset-2" href="/audit">
                audit log
              </Link>
              .
            </p>
          )}
        </Card>
      </div>
    </>
  );
}
