"use client";

import Link from "next/link";
import { useId, useState, useSyncExternalStore } from "react";
import { Badge } from "@/components/ui/badge";
import { inputClass } from "@/components/ui/field";

export type GuideSummary = {
  slug: string;
  title: string;
  description: string;
  topic: string;
  readingMinutes: number;
  lastReviewed: string;
  lastReviewedLabel: string;
};

const noSubscription = () => () => {};

/** True once React runs in the browser; the server and a browser without JavaScript see false. */
function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}

function matches(guide: GuideSummary, words: string[], topic: string | null): boolean {
  if (topic && guide.topic !== topic) return false;
  const haystack = `${guide.title} ${guide.description} ${guide.topic}`.toLowerCase();
  return words.every((word) => haystack.includes(word));
}

/**
 * The guide list with a search box and topic chips. The server renders every
 * guide; the controls appear only once JavaScript runs, so nothing is hidden
 * from a reader without it.
 */
export function GuideFilter({ guides, topics }: { guides: GuideSummary[]; topics: string[] }) {
  const hydrated = useHydrated();
  const [query, setQuery] = useState("");
  const [topic, setTopic] = useState<string | null>(null);
  const searchId = useId();

  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = guides.filter((g) => matches(g, words, topic));
  const filtered = shown.length !== guides.length;

  const chipClass = (active: boolean) =>
    `rounded-full px-3 py-1.5 text-sm font-medium ring-1 ring-inset transition-colors ${
      active ? "bg-brand-600 text-white ring-brand-600 hover:bg-brand-700" : "bg-white text-slate-700 ring-slate-300 hover:bg-slate-50"
    }`;

  return (
    <>
      {hydrated && (
        <div role="search" aria-label="Guides" className="mb-6 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-5">
          <label htmlFor={searchId} className="block text-sm font-medium text-slate-800">
            Search guides
          </label>
          <input
            id={searchId}
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder="e.g. passwords, scams, backup"
            autoComplete="off"
            className={`mt-1 ${inputClass}`}
          />
          <div role="group" aria-label="Topic" className="mt-4 flex flex-wrap gap-2">
            <button type="button" aria-pressed={topic === null} onClick={() => setTopic(null)} className={chipClass(topic === null)}>
              All topics
            </button>
            {topics.map((t) => (
              <button key={t} type="button" aria-pressed={topic === t} onClick={() => setTopic(topic === t ? null : t)} className={`capitalize ${chipClass(topic === t)}`}>
                {t}
              </button>
            ))}
          </div>
        </div>
      )}

      <p role="status" className={filtered ? "mb-4 text-sm text-slate-600" : "sr-only"}>
        {shown.length === guides.length ? `${guides.length} guides` : `Showing ${shown.length} of ${guides.length} guides`}
      </p>

      {shown.length === 0 ? (
        <div className="rounded-xl border border-dashed border-slate-300 px-6 py-12 text-center">
          <p className="font-medium text-slate-800">No guides match your search.</p>
          <button
            type="button"
            onClick={() => {
              setQuery("");
              setTopic(null);
            }}
            className="mt-2 text-sm font-medium text-brand-700 underline underline-offset-2 hover:text-brand-900"
          >
            Show all guides
          </button>
        </div>
      ) : (
        <ul aria-label="Guides" className="grid gap-5 sm:grid-cols-2 lg:grid-cols-3">
          {shown.map((g) => (
            <li key={g.slug}>
              <article className="relative flex h-full flex-col rounded-xl border border-slate-200 bg-white p-5 shadow-sm transition hover:border-brand-100 hover:shadow-md focus-within:ring-2 focus-within:ring-brand-600">
                <div>
                  <Badge tone="info">
                    <span className="capitalize">{g.topic}</span>
                  </Badge>
                </div>
                <h2 className="mt-3 text-lg leading-snug font-semibold text-slate-900">
                  <Link href={`/guides/${g.slug}`} prefetch={false} className="after:absolute after:inset-0 after:rounded-xl focus-visible:outline-none">
                    {g.title}
                  </Link>
                </h2>
                <p className="mt-2 flex-1 text-sm leading-6 text-slate-600">{g.description}</p>
                <p className="mt-4 flex flex-wrap gap-x-3 gap-y-1 text-xs text-slate-500">
                  <span>{g.readingMinutes} min read</span>
                  <span aria-hidden="true">·</span>
                  <span>
                    Reviewed <time dateTime={g.lastReviewed}>{g.lastReviewedLabel}</time>
                  </span>
                </p>
              </article>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
