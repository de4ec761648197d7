import type { Metadata } from "next";
import Link from "next/link";

import { Badge, type Tone } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { Alert } from "@/components/ui/field";
import { myAgreements } from "@/lib/agreements/employee-agreements";
import type { AgreementStanding } from "@/lib/agreements/signing.rules";
import { requireViewer } from "@/lib/auth/gate";
import { formatDate } from "@/lib/format";

export const metadata: Metadata = { title: "Agreements" };

const standingLabel: Record<AgreementStanding, [string, Tone]> = {
  to_sign: ["To sign", "warning"],
  new_version: ["New version to sign", "warning"],
  renewal_due: ["Renewal due", "danger"],
  expiring: ["Renew soon", "warning"],
  signed: ["Signed", "success"],
};

export default async function AgreementsPage({
  searchParams,
}: {
  searchParams: Promise<{ signed?: string; declined?: string }>;
}) {
  const viewer = await requireViewer("page:/agreements");
  const params = await searchParams;
  const items = await myAgreements(viewer);
  const toSign = items.filter((i) => i.standing !== "signed");
  const signed = items.filter((i) => i.signed);
  return (
    <>
      <PageHeader
        title="Agreements"
        description="Confidentiality and acceptable-use agreements you sign electronically. Each signed copy is a sealed PDF you can download."
      />
      {params.signed && (
        <div className="mb-6">
          <Alert tone="success">
            Signed. Your sealed copy is below and has been emailed to you.{" "}
            <a className="underline" href={`/agreements/documents/${params.signed}`}>
              Download it now
            </a>
            .
          </Alert>
        </div>
      )}
      {params.declined && (
        <div className="mb-6">
          <Alert tone="info">Your decision to decline has been recorded. Your compliance team may contact you.</Alert>
        </div>
      )}
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="To sign">
          {toSign.length === 0 ? (
            <EmptyState title="Nothing to sign">You have signed everything that applies to you.</EmptyState>
          ) : (
            <ul className="divide-y divide-slate-100">
              {toSign.map(({ template, standing, signed: s }) => (
                <li key={template.id} className="flex flex-wrap items-center justify-between gap-3 py-3">
                  <div>
                    <p className="font-medium text-slate-900">{template.title}</p>
                    <p className="text-xs text-slate-500">
                      v{template.version}
                      {s?.renewalDueAt && ` · renewal due ${formatDate(s.renewalDueAt)}`}
                    </p>
                    <p className="mt-1 text-sm text-slate-600">{template.summary}</p>
                  </div>
                  <div className="flex items-center gap-3">
                    <Badge tone={standingLabel[standing][1]}>{standingLabel[standing][0]}</Badge>
                    <Link
                      href={`/agreements/${template.id}`}
                      className={buttonClass("primary", "py-1.5")}
                      aria-label={`Review and sign ${template.title}`}
                    >
                      Review and sign
                    </Link>
                  </div>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title="Signed">
          {signed.length === 0 ? (
            <EmptyState title="No signed agreements yet" />
          ) : (
            <ul className="divide-y divide-slate-100">
              {signed.map(({ template, signed: s }) => (
                <li key={template.id} className="flex flex-wrap items-center justify-between gap-3 py-3">
                  <div>
                    <p className="font-medium text-slate-900">{template.title}</p>
                    <p className="text-xs text-slate-500">
                      v{s!.version} · signed {formatDate(s!.signedAt)}
                      {s!.renewalDueAt && ` · renew by ${formatDate(s!.renewalDueAt)}`}
                    </p>
                  </div>
                  <a
                    href={`/agreements/documents/${s!.id}`}
                    className="text-sm font-medium text-brand-700 underline underline-offset-2"
                    aria-label={`Download PDF of the signed ${template.title}`}
                  >
                    Download PDF
                  </a>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </>
  );
}
