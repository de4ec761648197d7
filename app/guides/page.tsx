import type { Metadata } from "next";
import Link from "next/link";
import { PublicHeader } from "@/components/public-header";
import { SiteFooter } from "@/components/site-footer";
import { getContent } from "@/lib/content";
import { publicUrl } from "@/lib/content/organisation";
import { GUIDE_TOPICS } from "@/lib/content/schemas";
import { GuideFilter, type GuideSummary } from "./guide-filter";

export const dynamic = "force-static";

const description = "Short, practical guides to keeping your accounts and data safe: passwords, MFA, scams, what support will never ask, and your privacy rights.";

export const metadata: Metadata = {
  title: "Privacy guides",
  description,
  metadataBase: new URL(publicUrl("/")),
  alternates: { canonical: "/guides", types: { "application/atom+xml": [{ url: "/guides/feed.xml", title: "Privacy guides" }] } },
};

const day = new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeZone: "UTC" });

export default function GuidesPage() {
  const guides = getContent().guides;
  const summaries: GuideSummary[] = guides.map((g) => ({
    slug: g.slug,
    title: g.title,
    description: g.description,
    topic: g.topic,
    readingMinutes: g.readingMinutes,
    lastReviewed: g.lastReviewed,
    lastReviewedLabel: day.format(new Date(`${g.lastReviewed}T00:00:00Z`)),
  }));
  const topics = GUIDE_TOPICS.filter((t) => guides.some((g) => g.topic === t));

  return (
    <>
      <PublicHeader current="guides" />
      <main id="main" className="flex-1">
        <section className="border-b border-slate-200 bg-gradient-to-b from-white to-slate-50">
          <div className="mx-auto max-w-6xl px-4 py-12 sm:px-6 sm:py-16">
            <p className="text-sm font-semibold tracking-wide text-brand-700 uppercase">Privacy awareness</p>
            <h1 className="mt-3 max-w-3xl text-3xl font-semibold tracking-tight text-slate-900 sm:text-4xl">Guides to keeping your data safe</h1>
            <p className="mt-4 max-w-2xl text-base leading-7 text-slate-600 sm:text-lg sm:leading-8">{description}</p>
            <p className="mt-4 text-sm text-slate-600">
              Read them freely: no account, no cookies, no tracking.{" "}
              <Link href="/privacy" className="font-medium text-brand-700 underline underline-offset-2 hover:text-brand-900">
                Our privacy notice
              </Link>{" "}
              ·{" "}
              <a href="/guides/feed.xml" className="font-medium text-brand-700 underline underline-offset-2 hover:text-brand-900">
                Atom feed
              </a>
            </p>
          </div>
        </section>
        <div className="mx-auto max-w-6xl px-4 py-10 sm:px-6">
          <GuideFilter guides={summaries} topics={topics} />
        </div>
      </main>
      <SiteFooter />
    </>
  );
}
