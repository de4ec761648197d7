import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PublicHeader } from "@/components/public-header";
import { SiteFooter } from "@/components/site-footer";
import { getContent } from "@/lib/content";
import { renderMarkdown } from "@/lib/content/markdown";
import { fillOrganisationName, organisationName, publicUrl } from "@/lib/content/organisation";

export const dynamic = "force-static";

const day = new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeZone: "UTC" });

export function generateMetadata(): Metadata {
  const notice = getContent().privacyNotice;
  return {
    title: notice?.title ?? "Privacy notice",
    description: `How ${organisationName()} collects, uses, shares and protects personal data when providing technical support, and the rights you have.`,
    metadataBase: new URL(publicUrl("/")),
    alternates: { canonical: "/privacy" },
  };
}

export default function PrivacyPage() {
  const notice = getContent().privacyNotice;
  if (!notice) notFound();
  const html = fillOrganisationName(renderMarkdown(notice.body));

  return (
    <>
      <PublicHeader current="privacy" />
      <main id="main" className="flex-1">
        <article className="mx-auto max-w-3xl px-4 py-10 sm:px-6 sm:py-14">
          <header className="border-b border-slate-200 pb-6">
            <p className="text-sm font-semibold tracking-wide text-brand-700 uppercase">{organisationName()}</p>
            <h1 className="mt-2 text-3xl font-semibold tracking-tight text-slate-900 sm:text-4xl">{notice.title}</h1>
            <dl className="mt-4 flex flex-wrap gap-x-6 gap-y-1 text-sm text-slate-600">
              <div className="flex gap-1.5">
                <dt>Last updated</dt>
                <dd className="font-medium text-slate-800">
                  <time dateTime={notice.lastUpdated}>{day.format(new Date(`${notice.lastUpdated}T00:00:00Z`))}</time>
                </dd>
              </div>
              <div className="flex gap-1.5">
                <dt>Version</dt>
                <dd className="font-medium text-slate-800">{notice.version}</dd>
              </div>
            </dl>
          </header>
          <div className="prose-content mt-6" dangerouslySetInnerHTML={{ __html: html }} />
          <p className="mt-10 rounded-xl border border-slate-200 bg-white p-5 text-sm leading-6 text-slate-600 shadow-sm">
            Want the practical side? Our{" "}
            <Link href="/guides" className="font-medium text-brand-700 underline underline-offset-2 hover:text-brand-900">
              privacy guides
            </Link>{" "}
            explain your rights, what support collects and how to keep your accounts safe.
          </p>
        </article>
      </main>
      <SiteFooter />
    </>
  );
}
