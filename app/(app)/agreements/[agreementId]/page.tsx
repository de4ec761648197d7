import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { DueDateLine } from "@/components/calendar/add-to-calendar-link";
import { Card, PageHeader } from "@/components/ui/card";
import { openSigning } from "@/lib/agreements/employee-agreements";
import { requireViewer } from "@/lib/auth/gate";
import { auditContext } from "@/lib/auth/viewer";
import { agreementDueEvent } from "@/lib/calendar/due-events";
import { getAgreementTemplate } from "@/lib/content";
import { renderMarkdown } from "@/lib/content/markdown";

import { AgreementReader } from "./agreement-reader";
import { ConsentForm, DeclineForm, SignForm } from "./signing-forms";

type Params = { params: Promise<{ agreementId: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  return { title: getAgreementTemplate((await params).agreementId)?.title ?? "Agreement" };
}

export default async function SignAgreementPage({ params }: Params) {
  const viewer = await requireViewer("page:/agreements/[agreementId]");
  const { agreementId } = await params;
  const template = getAgreementTemplate(agreementId);
  if (!template || template.audience !== "employee") notFound();
  const context = await auditContext(viewer);
  const [{ ceremony, text, consent }, renewal] = await Promise.all([
    openSigning(viewer, template.id, context.ip ?? "unknown"),
    agreementDueEvent(viewer, template.id),
  ]);
  return (
    <div className="mx-auto max-w-3xl">
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-slate-500">
        <Link href="/agreements" className="hover:underline">
          Agreements
        </Link>{" "}
        / {template.title}
      </nav>
      <PageHeader
        title={template.title}
        description={`Version ${template.version}. Read the whole agreement before signing.`}
      />
      {renewal && <DueDateLine label="Renew by" date={renewal.date} href={`/agreements/${template.id}/calendar`} />}
      <AgreementReader
        html={renderMarkdown(text)}
        mustRead={template.mustRead}
        initiallyRead={ceremony.readAt !== null}
        agreementId={template.id}
        ceremonyId={ceremony.id}
        pdf={
          template.pdf
            ? {
                href: `/agreements/${template.id}/pdf?ceremony=${ceremony.id}`,
                label: `Open the policy (PDF, ${Math.max(1, Math.round(template.pdf.bytes / 1000))} kB)`,
              }
            : undefined
        }
      >
        <div className="mt-6 space-y-6">
          {ceremony.consentAt ? (
            <Card
              title={template.signature === "acknowledge" ? "Acknowledge electronically" : "Sign electronically"}
              description="Your consent to electronic records and signatures is recorded."
            >
              <SignForm
                agreementId={template.id}
                ceremonyId={ceremony.id}
                mfaEnabled={viewer.mfaEnabled}
                level={template.signature}
              />
            </Card>
          ) : (
            <Card title="Consent to electronic records and signatures">
              <ConsentForm
                agreementId={template.id}
                ceremonyId={ceremony.id}
                consentHtml={renderMarkdown(consent.text)}
                consentVersion={consent.version}
              />
            </Card>
          )}
          <DeclineForm agreementId={template.id} />
        </div>
      </AgreementReader>
    </div>
  );
}
