import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PublicHeader } from "@/components/public-header";
import { SiteFooter } from "@/components/site-footer";
import { Badge } from "@/components/ui/badge";
import { getContent, getGuide } from "@/lib/content";
import { renderMarkdown } from "@/lib/content/markdown";
import { publicUrl } from "@/lib/content/organisation";
import { SelfCheck } from "./self-check";

export const dynamic = "force-static";
export const dynamicParams = false;

type Params = { params: Promise<{ slug: string }> };

const day = new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeZone: "UTC" });

export function generateStaticParams(): { slug: string }[] {
  return getContent().guides.map((g) => ({ slug: g.slug }));
}

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const guide = getGuide((await params).slug);
  if (!guide) return {};
  return {
    title: guide.title,
    description: guide.description,
    metadataBase: new URL(publicUrl("/")),
    alternates: { canonical: `/guides/${guide.slug}` },
    openGraph: { type: "article", title: guide.title, description: guide.description, modifiedTime: guide.lastReviewed },
  };
}

export default async function GuidePage({ params }: Params) {
  const guide = getGuide((await params).slug);
  if (!guide) notFound();
  const related = guide.related.map((slug) => getGuide(slug)).filter((g) => g !== null);
  const reviewed = day.format(new Date(`${guide.lastReviewed}T00:00:00Z`));
  // Task-list checkboxes are display-only; the item text says it all, so assistive tech skips the unlabelled box.
  const body = renderMarkdown(guide.body).replace(/<input type="checkbox"/g, '<input type="checkbox" aria-hidden="true" tabindex="-1"');

  return (
    <>
      <PublicHeader current="guides" />
      <main id="main" className="flex-1">
        <div className="mx-auto max-w-3xl px-4 py-8 sm:px-6 sm:py-12">
          <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
            <ol className="flex flex-wrap items-center gap-2">
              <li>
                <Link href="/guides" className="font-medium text-brand-700 underline-offset-2 hover:underline">
                  Guides
                </Link>
              </li>
              <li aria-hidden="true">/</li>
              <li aria-current="page" className="min-w-0 flex-1 truncate">
                {guide.title}
              </li>
            </ol>
          </nav>

          <article className="mt-6">
            <header className="border-b border-slate-200 pb-6">
              <Badge tone="info">
                <span className="capitalize">{guide.topic}</span>
              </Badge>
              <h1 className="mt-3 text-3xl font-semibold tracking-tight text-balance text-slate-900 sm:text-4xl">{guide.title}</h1>
              <p className="mt-4 text-lg leading-8 text-slate-600">{guide.description}</p>
              <p className="mt-4 flex flex-wrap gap-x-3 gap-y-1 text-sm text-slate-500">
                <span>{guide.readingMinutes} min read</span>
                <span aria-hidden="true">·</span>
                <span>
                  Last reviewed <time dateTime={guide.lastReviewed}>{reviewed}</time>
                </span>
              </p>
            </header>

            <div
              className="prose-content mt-6 [&_li:has(>input)]:-ml-6 [&_li:has(>input)]:list-none [&_li:has(>input)]:pl-6 [&_li:has(>input)]:-indent-6 [&_li>input]:mr-1 [&_li>input]:size-4 [&_li>input]:align-[-0.2em]"
              dangerouslySetInnerHTML={{ __html: body }}
            />

            {guide.quiz && guide.quiz.length > 0 && (
              <section aria-labelledby="self-check" className="-mx-4 mt-12 bg-slate-100/70 px-4 py-6 sm:mx-0 sm:rounded-2xl sm:p-6">
                <h2 id="self-check" className="text-xl font-semibold text-slate-900">
                  Check yourself
                </h2>
                <p className="mt-1 mb-5 text-sm text-slate-600">
                  A quick practice quiz. It is checked here in your browser: your answers are not sent anywhere or recorded.
                </p>
                <noscript>
                  <p className="mb-4 text-sm text-slate-700">The practice quiz needs JavaScript. Everything it asks about is covered in the guide above.</p>
                </noscript>
                <SelfCheck questions={guide.quiz} />
              </section>
            )}
          </article>

          {related.length > 0 && (
            <nav aria-labelledby="related" className="mt-12 border-t border-slate-200 pt-8">
              <h2 id="related" className="text-xl font-semibold text-slate-900">
                Related guides
              </h2>
              <ul className="mt-4 grid gap-3 sm:grid-cols-2">
                {related.map((g) => (
                  <li key={g.slug}>
                    <Link
                      href={`/guides/${g.slug}`}
                      prefetch={false}
                      className="block h-full rounded-xl border border-slate-200 bg-white p-4 shadow-sm transition hover:border-brand-100 hover:shadow-md"
                    >
                      <span className="block font-medium text-slate-900">{g.title}</span>
                      <span className="mt-1 block text-sm text-slate-600">{g.readingMinutes} min read</span>
                    </Link>
                  </li>
                ))}
              </ul>
            </nav>
          )}

          <p className="mt-10">
            <Link href="/guides" className="text-sm font-medium text-brand-700 underline underline-offset-2 hover:text-brand-900">
              ← All guides
            </Link>
          </p>
        </div>
      </main>
      <SiteFooter />
    </>
  );
}
