import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { ActionButton } from "@/components/action-button";
import { Badge, personStatusTone } from "@/components/ui/badge";
import { Card, PageHeader } from "@/components/ui/card";
import { Alert } from "@/components/ui/field";
import { Table } from "@/components/ui/table";
import { requireViewer } from "@/lib/auth/gate";
import { may } from "@/lib/auth/permissions";
import { certificationsToAnnul } from "@/lib/certification/annul";
import { NotFoundError } from "@/lib/errors";
import { formatDate, formatDateTime } from "@/lib/format";
import { isUuid } from "@/lib/ids";
import { departmentOptions, managerOptions, personForEdit } from "@/lib/people/person-editor";

import { sendInvitationAgain } from "../actions";
import { AnnulForm } from "../annul-form";
import { PersonControls } from "../person-controls";
import { PersonForm } from "../person-form";

export const metadata: Metadata = { title: "Person" };

export default async function EditPersonPage({
  params,
  searchParams,
}: {
  params: Promise<{ personId: string }>;
  searchParams: Promise<{ added?: string }>;
}) {
  const viewer = await requireViewer("page:/admin/people/[personId]");
  const { personId: id } = await params;
  const { added } = await searchParams;
  if (!isUuid(id)) notFound();
  const now = new Date();
  const person = await personForEdit(viewer, id, now).catch((e) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  const canEdit = may(viewer, "administer");
  const [departments, managers] = canEdit ? await Promise.all([departmentOptions(), managerOptions(viewer)]) : [[], []];
  const held = await certificationsToAnnul(viewer, person.id);

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-slate-500">
        <Link href="/admin/people" className="hover:underline">
          People
        </Link>{" "}
        / {person.name}
      </nav>
      <PageHeader
        title={person.name}
        description={`${person.email} · added ${formatDate(person.createdAt)}`}
        actions={
          <div className="flex items-center gap-3">
            <Badge tone={personStatusTone(person.status)}>{person.status}</Badge>
            <Link
              href={`/people/${person.id}`}
              className="text-sm font-medium text-brand-700 underline underline-offset-2"
            >
              Training record
            </Link>
          </div>
        }
      />
      {added === "1" && (
        <div className="mb-6">
          <Alert tone="success">
            {person.name} was added. An invitation to set a password was emailed to {person.email}; the link works once
            and expires after 7 days.
          </Alert>
        </div>
      )}
      <div className="space-y-6">
        <Card title="Sign-in">
          <dl className="grid gap-3 text-sm sm:grid-cols-3">
            <div>
              <dt className="text-slate-600">Password</dt>
              <dd className="font-medium text-slate-900">{person.hasPassword ? "Set" : "Not set yet"}</dd>
            </div>
            <div>
              <dt className="text-slate-600">Two-factor authentication</dt>
              <dd className="font-medium text-slate-900">{person.mfaEnabled ? "On" : "Off"}</dd>
            </div>
            {!person.hasPassword && (
              <div>
                <dt className="text-slate-600">Invitation</dt>
                <dd className="font-medium text-slate-900">
                  {person.invitation
                    ? person.invitation.expired
                      ? `Expired ${formatDateTime(person.invitation.expiresAt)}`
                      : `Sent ${formatDateTime(person.invitation.sentAt)}, valid until ${formatDateTime(person.invitation.expiresAt)}`
                    : "None sent"}
                </dd>
              </div>
            )}
          </dl>
          {canEdit && !person.hasPassword && person.status === "active" && (
            <div className="mt-4">
              <ActionButton
                action={sendInvitationAgain}
                fields={{ personId: person.id }}
                label="Send a new invitation"
                pendingLabel="Sending…"
                variant="secondary"
              />
            </div>
          )}
        </Card>

        {canEdit ? (
          <>
            <Card title="Details" description="Changes are recorded in the audit log with the values before and after.">
              <PersonForm
                personId={person.id}
                values={{
                  name: person.name,
                  email: person.email,
                  departmentId: person.departmentId,
                  title: person.title,
                  managerEmail: person.managerEmail,
                  hireDate: person.hireDate,
                  roles: person.roles,
                }}
                departments={departments}
                managers={managers}
              />
            </Card>
            <Card
              title="Access"
              description="Suspended and departed people lose access at their next request. Departed people no longer count in completion rates."
            >
              <PersonControls
                personId={person.id}
                name={person.name}
                status={person.status}
                roles={person.roles}
                showRoles={false}
              />
            </Card>
          </>
        ) : (
          <Card title="Details">
            <dl className="grid gap-3 text-sm sm:grid-cols-2">
              {[
                ["Department", person.departmentName ?? "—"],
                ["Job title", person.title ?? "—"],
                ["Manager", person.managerEmail ?? "—"],
                ["Hire date", person.hireDate ?? "—"],
                ["Roles", person.roles.join(", ")],
              ].map(([label, value]) => (
                <div key={label}>
                  <dt className="text-slate-600">{label}</dt>
                  <dd className="font-medium text-slate-900">{value}</dd>
                </div>
              ))}
            </dl>
          </Card>
        )}
        <Card
          title="Certifications"
          description={
            canEdit
              ? "Annul a certification that was obtained improperly or issued in error: it ends at once, the holder is told and must take the course again, and the certificate then verifies as annulled."
              : "Every certification issued, newest first."
          }
        >
          <Table
            caption={`Certifications of ${person.name}`}
            hideCaption
            columns={[
              { header: "Course", rowHeader: true, cell: (c) => `${c.courseTitle} v${c.courseVersion}` },
              { header: "Issued", className: "whitespace-nowrap", cell: (c) => formatDate(c.issuedAt) },
              {
                header: "Status",
                cell: (c) =>
                  c.annulledAt ? (
                    <div>
                      <Badge tone="danger">Annulled {formatDate(c.annulledAt)}</Badge>
                      <p className="mt-1 max-w-sm text-xs text-slate-600">{c.annulReason}</p>
                    </div>
                  ) : c.expiresAt > now ? (
                    `Valid until ${formatDate(c.expiresAt)}`
                  ) : (
                    `Ended ${formatDate(c.expiresAt)}`
                  ),
              },
              ...(canEdit
                ? [
                    {
                      header: "Annul",
                      cell: (c: (typeof held)[number]) => (
                        <AnnulForm
                          certificationId={c.id}
                          label={`the ${c.courseTitle} certification issued ${formatDate(c.issuedAt)}`}
                          open={!c.annulledAt && c.expiresAt > now}
                        />
                      ),
                    },
                  ]
                : []),
            ]}
            rows={held}
            rowKey={(c) => c.id}
            empty="No certifications yet"
          />
        </Card>
      </div>
    </>
  );
}
