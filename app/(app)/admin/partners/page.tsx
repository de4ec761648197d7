import type { Metadata } from "next";

import { ActionButton } from "@/components/action-button";
import { Badge, type Tone } from "@/components/ui/badge";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { listPartners } from "@/lib/agreements/partner-register";
import type { PartnerAgreementStatus } from "@/lib/agreements/partner.rules";
import { requireViewer } from "@/lib/auth/gate";
import { may } from "@/lib/auth/permissions";
import { getContent } from "@/lib/content";
import { formatDate } from "@/lib/format";

import { resendRequest, sendAgreement, voidRequest } from "./actions";
import { AddPartnerForm } from "./add-partner-form";
import { CopyLink } from "./copy-link";

export const metadata: Metadata = { title: "Partners" };

const statusLabel: Record<PartnerAgreementStatus, [string, Tone]> = {
  not_sent: ["Not sent", "neutral"],
  pending: ["Pending", "info"],
  signed: ["Signed", "success"],
  declined: ["Declined", "danger"],
  link_expired: ["Link expired", "warning"],
  signature_expired: ["Signature expired", "warning"],
  void: ["Void", "neutral"],
};

export default async function PartnersPage() {
  const viewer = await requireViewer("page:/admin/partners");
  const canEdit = may(viewer, "administer");
  const partnersList = await listPartners(viewer);
  const partnerAgreements = getContent().agreements.filter((a) => a.audience === "partner");
  return (
    <>
      <PageHeader
        title="Partners"
        description="Third parties that receive data must sign a data-protection and confidentiality agreement first. Their contacts sign through an emailed link; no account is needed."
      />
      <div className="space-y-6">
        {canEdit && (
          <Card title="Add a partner">
            <AddPartnerForm agreements={partnerAgreements.map((a) => ({ id: a.id, title: a.title }))} />
          </Card>
        )}
        {partnersList.length === 0 ? (
          <EmptyState title="No partners yet">Add a partner to send them an agreement.</EmptyState>
        ) : (
          partnersList.map((partner) => (
            <Card
              key={partner.id}
              title={partner.name}
              description={`${partner.contactName} · ${partner.contactEmail}`}
            >
              <ul className="divide-y divide-slate-100" aria-label={`Agreements for ${partner.name}`}>
                {partner.agreements.map((a) => (
                  <li key={a.agreementId} className="flex flex-wrap items-center justify-between gap-3 py-3">
                    <div>
                      <p className="font-medium text-slate-900">{a.title}</p>
                      <p className="text-xs text-slate-500">
                        {a.signedAt && `Signed ${formatDate(a.signedAt)}`}
                        {a.renewalDueAt && ` · renew by ${formatDate(a.renewalDueAt)}`}
                        {a.status === "pending" && a.expiresAt && `Link valid until ${formatDate(a.expiresAt)}`}
                        {a.status === "link_expired" &&
                          a.expiresAt &&
                          `The signing link expired on ${formatDate(a.expiresAt)} unsigned; send a new one.`}
                        {a.status === "signature_expired" &&
                          `${a.signedAt ? " · " : ""}The signature is no longer valid: send the agreement to sign again.`}
                      </p>
                    </div>
                    <div className="flex flex-wrap items-center gap-2">
                      <Badge tone={statusLabel[a.status][1]}>{statusLabel[a.status][0]}</Badge>
                      {a.signatureId && (
                        <a
                          href={`/agreements/documents/${a.signatureId}`}
                          className="text-sm font-medium text-brand-700 underline underline-offset-2"
                        >
                          Signed PDF
                        </a>
                      )}
                      {canEdit && a.status === "pending" && a.requestId && (
                        <>
                          <ActionButton
                            action={resendRequest}
                            fields={{ requestId: a.requestId }}
                            label="Resend"
                            variant="secondary"
                            pendingLabel="Sending…"
                          />
                          <ActionButton
                            action={voidRequest}
                            fields={{ requestId: a.requestId }}
                            label="Void"
                            variant="danger"
                            pendingLabel="Voiding…"
                          />
                          <CopyLink requestId={a.requestId} partnerName={partner.name} />
                        </>
                      )}
                      {canEdit && a.status !== "pending" && a.status !== "signed" && (
                        <ActionButton
                          action={sendAgreement}
                          fields={{ partnerId: partner.id, agreementId: a.agreementId }}
                          label="Send for signing"
                          pendingLabel="Sending…"
                        />
                      )}
                    </div>
                  </li>
                ))}
              </ul>
            </Card>
          ))
        )}
      </div>
    </>
  );
}
