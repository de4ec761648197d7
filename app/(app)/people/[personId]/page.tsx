import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { NudgeButton } from "@/components/team/nudge-button";
import { StatusCell } from "@/components/team/status-cell";
import { Badge, personStatusTone, type Tone } from "@/components/ui/badge";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { Table } from "@/components/ui/table";
import { requireViewer } from "@/lib/auth/gate";
import { may } from "@/lib/auth/permissions";
import { formatDate, formatDateTime } from "@/lib/format";
import { isUuid } from "@/lib/ids";
import { personRecord, type PersonRecord } from "@/lib/reports/person-record";
import { nudgedLabel } from "@/lib/team/matrix.rules";
import { cellInWords } from "@/lib/team/view";

export const metadata: Metadata = { title: "Person record" };

const certificationTones: Record<PersonRecord["certifications"][number]["status"], [string, Tone]> = {
  current: ["Current", "success"],
  expiring: ["Expiring", "warning"],
  expired: ["Expired", "danger"],
  superseded: ["Superseded", "warning"],
  renewed: ["Renewed", "neutral"],
  annulled: ["Annulled", "danger"],
};

export default async function PersonRecordPage({ params }: { params: Promise<{ personId: string }> }) {
  const viewer = await requireViewer("page:/people/[personId]");
  const { personId } = await params;
  if (!isUuid(personId)) notFound();
  const now = new Date();
  const record = await personRecord(viewer, personId, now);
  if (!record) notFound();
  const { person } = record;
  const nudged = nudgedLabel(record.lastNudgedAt, now);

  return (
    <>
      {may(viewer, "lead_team") && (
        <nav aria-label="Breadcrumb" className="mb-2 text-sm text-slate-500">
          <Link href="/team" className="hover:underline">
            Team
          </Link>{" "}
          / {person.name}
        </nav>
      )}
      <PageHeader
        title={person.name}
        description={[person.title, person.department].filter(Boolean).join(" · ") || undefined}
        actions={
          record.canNudge && record.nudgeable > 0 ? (
            <NudgeButton
              target="person"
              size="normal"
              fields={{ personId: person.id }}
              label="Nudge"
              accessibleLabel={`Nudge ${person.name}`}
              nudged={nudged}
            />
          ) : null
        }
      />

      <div className="grid gap-6 lg:grid-cols-3">
        <Card title="Profile" className="lg:col-span-1">
          <dl className="space-y-2 text-sm">
            <Row label="Email">{person.email}</Row>
            <Row label="Department">{person.department ?? "—"}</Row>
            <Row label="Title">{person.title ?? "—"}</Row>
            <Row label="Manager">{person.managerName ?? "—"}</Row>
            <Row label="Hire date">{person.hireDate ? formatDate(new Date(person.hireDate)) : "—"}</Row>
            <Row label="Account">
              <Badge tone={personStatusTone(person.status)}>{person.status}</Badge>
            </Row>
          </dl>
        </Card>

        <Card
          title="Courses"
          description="What this person must complete, and where they stand now."
          className="lg:col-span-2"
        >
          {record.items.length === 0 ? (
            <EmptyState title="Nothing is assigned" />
          ) : (
            <ul className="divide-y divide-slate-100">
              {record.items.map(({ item, cell }) => (
                <li
                  key={`${item.kind}-${item.id}`}
                  id={`${item.kind}-${item.id}`}
                  className="flex flex-wrap items-start justify-between gap-2 py-3 first:pt-0 last:pb-0"
                >
                  <span className="text-sm font-medium text-slate-900">{item.title}</span>
                  <StatusCell cell={cellInWords(cell)} />
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>

      <div className="mt-6 space-y-6">
        <Card
          title="Certification history"
          description="Every certification issued, newest first. Certificates are PDF files with a verification code."
        >
          <Table
            caption={`Certification history of ${person.name}`}
            hideCaption
            columns={[
              { header: "Course", rowHeader: true, cell: (c) => c.courseTitle },
              { header: "Version", cell: (c) => `v${c.courseVersion}` },
              { header: "Issued", className: "whitespace-nowrap", cell: (c) => formatDate(c.issuedAt) },
              { header: "Expires", className: "whitespace-nowrap", cell: (c) => formatDate(c.expiresAt) },
              {
                header: "Status",
                cell: (c) => {
                  const [label, tone] = certificationTones[c.status];
                  return <Badge tone={tone}>{label}</Badge>;
                },
              },
              { header: "Verification code", className: "font-mono text-xs", cell: (c) => c.verificationCode },
              {
                header: "Certificate",
                cell: (c) => (
                  <a href={`/certificates/${c.id}`} className="font-medium text-brand-700 underline underline-offset-2">
                    PDF
                    <span className="sr-only">
                      : {c.courseTitle}, issued {formatDate(c.issuedAt)}
                    </span>
                  </a>
                ),
              },
            ]}
            rows={record.certifications}
            rowKey={(c) => c.id}
            empty="No certifications yet"
          />
        </Card>

        <Card
          title="Quiz attempts"
          description={
            record.showScores
              ? "Submitted attempts, newest first."
              : "Submitted attempts, newest first. This person shares only whether they passed."
          }
        >
          <Table
            caption={`Quiz attempts of ${person.name}`}
            hideCaption
            columns={[
              { header: "Date (UTC)", className: "whitespace-nowrap", cell: (a) => formatDateTime(a.submittedAt) },
              { header: "Course", cell: (a) => a.courseTitle },
              record.showScores && {
                header: "Score",
                numeric: true,
                cell: (a) => (a.scorePercent === null ? "—" : `${a.scorePercent}%`),
              },
              {
                header: "Result",
                cell: (a) => <Badge tone={a.passed ? "success" : "danger"}>{a.passed ? "Passed" : "Failed"}</Badge>,
              },
            ]}
            rows={record.attempts}
            rowKey={(a) => a.id}
            empty="No quiz attempts yet"
          />
        </Card>

        <div className="grid gap-6 lg:grid-cols-2">
          <Card title="Agreements" description="Confidentiality and other agreements this person signed.">
            {record.signatures.length === 0 ? (
              <EmptyState title="No agreements recorded yet" />
            ) : (
              <ul className="divide-y divide-slate-100 text-sm">
                {record.signatures.map((s) => (
                  <li key={s.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
                    <span>
                      {s.agreementTitle} <span className="text-slate-500">v{s.agreementVersion}</span>
                    </span>
                    <span className="text-slate-600">
                      {s.outcome === "signed" ? "Signed" : "Declined"} {formatDate(s.signedAt)}
                      {s.outcome === "signed" && (
                        <a
                          href={`/agreements/documents/${s.id}`}
                          className="ml-2 text-brand-700 underline underline-offset-2"
                        >
                          PDF
                        </a>
                      )}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </Card>
          <Card title="Data-access grants" description="Roles this person holds or asked for, and the decisions.">
            {record.grants.length === 0 ? (
              <EmptyState title="No data-access grants recorded yet" />
            ) : (
              <ul className="divide-y divide-slate-100 text-sm">
                {record.grants.map((g) => (
                  <li key={g.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
                    <span>{g.accessRole}</span>
                    <span className="text-slate-600">
                      {g.status}
                      {g.decidedAt ? ` · ${formatDate(g.decidedAt)}` : ""}
                    </span>
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

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="flex justify-between gap-3">
      <dt className="text-slate-500">{label}</dt>
      <dd className="text-right break-all text-slate-900">{children}</dd>
    </div>
  );
}
