import type { Metadata } from "next";
import Link from "next/link";

import { Badge } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { Card, PageHeader } from "@/components/ui/card";
import { requireViewer } from "@/lib/auth/gate";
import { formatDate } from "@/lib/format";
import { collectMyData } from "@/lib/privacy/my-data";
import { CORRECTABLE_FIELDS, getPreferences, myCorrections } from "@/lib/privacy/preferences";

import { CorrectionForm, PreferencesForm } from "./data-forms";

export const metadata: Metadata = { title: "My data" };

export default async function MyDataPage() {
  const viewer = await requireViewer("page:/account/data");
  const [data, prefs, corrections] = await Promise.all([
    collectMyData(viewer),
    getPreferences(viewer),
    myCorrections(viewer),
  ]);
  return (
    <>
      <PageHeader
        title="My data"
        description="Everything Clearance holds about you, why, and for how long. Download it at any time."
        actions={
          <div className="flex gap-2">
            <a href="/account/data/export?format=json" className={buttonClass("secondary")}>
              Download JSON
            </a>
            <a href="/account/data/export?format=zip" className={buttonClass("primary")}>
              Download everything (ZIP)
            </a>
          </div>
        }
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <Card title="What we hold" className="lg:col-span-2">
          <ul className="divide-y divide-slate-100">
            {data.groups.map((g) => (
              <li key={g.id} className="py-3" data-group={g.id}>
                <div className="flex items-start justify-between gap-3">
                  <h2 className="font-medium text-slate-900">{g.title}</h2>
                  <Badge>
                    {g.records.length} record{g.records.length === 1 ? "" : "s"}
                  </Badge>
                </div>
                <p className="mt-1 text-sm text-slate-600">{g.purpose}</p>
                <p className="text-xs text-slate-500">Kept: {g.retention}</p>
              </li>
            ))}
          </ul>
          <p className="mt-3 text-xs text-slate-500">
            The ZIP also holds your signed agreements and completion certificates as PDFs.
          </p>
        </Card>
        <div className="space-y-6">
          <Card title="Your choices">
            <PreferencesForm managerSeesScores={prefs.managerSeesScores} />
            <p className="mt-4 text-xs text-slate-500">
              How often Clearance emails you is under{" "}
              <Link href="/account#notifications" className="text-brand-700 underline underline-offset-2">
                Account, email notifications
              </Link>
              .
            </p>
          </Card>
          <Card title="Correct your record">
            <CorrectionForm fields={CORRECTABLE_FIELDS} />
            {corrections.length > 0 && (
              <ul className="mt-4 space-y-2 text-sm">
                {corrections.map((c) => (
                  <li key={c.id} className="flex justify-between gap-2">
                    <span>
                      {CORRECTABLE_FIELDS[c.field as keyof typeof CORRECTABLE_FIELDS] ?? c.field} → “{c.requestedValue}”
                      ({formatDate(c.createdAt)})
                    </span>
                    <Badge tone={c.status === "open" ? "info" : c.status === "resolved" ? "success" : "neutral"}>
                      {c.status}
                    </Badge>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </div>
      </div>
    </>
  );
}
