import type { Metadata } from "next";

import { PublicHeader } from "@/components/public-header";
import { SiteFooter } from "@/components/site-footer";
import { buttonClass } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Alert } from "@/components/ui/field";
import { partnerBrowserKey } from "@/lib/agreements/partner-browser";
import { partnerSigningView } from "@/lib/agreements/partner-signing";
import { renderMarkdown } from "@/lib/content/markdown";
import { formatDate } from "@/lib/format";

import { CodeStep, ConsentStep, DeclineStep, SignStep } from "./partner-forms";

export const metadata: Metadata = { title: "Sign an agreement", robots: { index: false, follow: false } };
export const dynamic = "force-dynamic";

const closed = {
  expired: ["This link has expired", "Signing links are valid for 14 days. Ask your contact to send you a new one."],
  used: [
    "This link has already been used",
    "The agreement was already signed or declined with it. If you need a copy, check your email or ask your contact.",
  ],
  void: [
    "This link has been withdrawn",
    "The request was cancelled or replaced. If you received a newer email, use the link in that one.",
  ],
  unknown: [
    "This link is not valid",
    "Check that you opened the whole link from the email, or ask your contact to send a new one.",
  ],
} as const;

export default async function PartnerSignPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  // Only the browser that confirmed the emailed code carries this link's cookie.
  const view = await partnerSigningView(token, await partnerBrowserKey(token));
  return (
    <>
      <PublicHeader signIn={false} />
      <main id="main" className="mx-auto w-full max-w-3xl flex-1 px-4 py-10 sm:px-6">
        {view.state === "signed" ? (
          <div className="rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
            <p className="text-sm font-medium text-brand-700">{view.partnerName}</p>
            <h1 className="mt-1 text-2xl font-semibold text-slate-900">Signed: {view.title}</h1>
            <div className="mt-4">
              <Alert tone="success">
                Thank you. The agreement is signed and sealed. A copy is also on its way to {view.contactEmail}.
              </Alert>
            </div>
            <p className="mt-6">
              <a href={`/partner-sign/${token}/document`} className={buttonClass("primary")} download>
                Download the signed agreement (PDF)
              </a>
            </p>
            <p className="mt-3 text-sm text-slate-600">
              The download is available from this page for an hour. You can close the page afterwards.
            </p>
          </div>
        ) : view.state !== "ready" ? (
          <div className="rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
            <h1 className="text-2xl font-semibold text-slate-900">{closed[view.state][0]}</h1>
            <p className="mt-2 text-slate-600">{closed[view.state][1]}</p>
          </div>
        ) : (
          <>
            <p className="text-sm font-medium text-brand-700">{view.partnerName}</p>
            <h1 className="mt-1 text-2xl font-semibold tracking-tight text-slate-900">{view.title}</h1>
            <p className="mt-1 text-sm text-slate-600">
              Version {view.version} · for {view.contactName} · link valid until {formatDate(view.expiresAt)}
            </p>
            {view.text && (
              <article
                aria-label="Agreement text"
                tabIndex={0}
                className="prose-content mt-6 max-h-[32rem] overflow-y-auto rounded-xl border border-slate-200 bg-white px-6 py-4 shadow-sm"
              >
                <div dangerouslySetInnerHTML={{ __html: renderMarkdown(view.text) }} />
              </article>
            )}
            <div className="mt-6 space-y-6">
              {view.step === "code" && (
                <Card title="Confirm your email address">
                  <CodeStep token={token} codeSent={view.codeSent} email={view.contactEmail} />
                </Card>
              )}
              {view.step === "consent" && (
                <Card title="Consent to electronic records and signatures">
                  <ConsentStep
                    token={token}
                    consentHtml={renderMarkdown(view.consent.text)}
                    consentVersion={view.consent.version}
                  />
                </Card>
              )}
              {view.step === "sign" && (
                <Card title="Sign electronically">
                  <SignStep token={token} />
                </Card>
              )}
              {view.step !== "code" && <DeclineStep token={token} />}
            </div>
          </>
        )}
      </main>
      <SiteFooter signIn={false} />
    </>
  );
}
