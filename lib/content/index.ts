import { log } from "@/lib/log";

import { formatProblems, loadContent, type ContentSet } from "./load";

let cached: ContentSet | undefined;

/**
 * The validated content, loaded once per process. Invalid items are left out
 * (and reported once) instead of breaking pages; `npm run content:check` fails
 * CI on the same problems before they ship.
 */
export function getContent(): ContentSet {
  if (cached) return cached;
  const content = loadContent();
  if (content.problems.length > 0) {
    log().error({ problems: formatProblems(content.problems) }, "content problems: run npm run content:check");
  }
  cached = content;
  return content;
}

export function getCourse(id: string) {
  return getContent().courses.find((c) => c.id === id) ?? null;
}

export function getAgreementTemplate(id: string) {
  return getContent().agreements.find((a) => a.id === id) ?? null;
}

export function getGuide(slug: string) {
  return getContent().guides.find((g) => g.slug === slug) ?? null;
}
