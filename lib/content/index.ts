import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

import { log } from "@/lib/log";

import { declaredType, IMAGE_NAME, sniffImage, type ImageType } from "./images";
import { CONTENT_DIR, formatProblems, loadContent, type ContentSet } from "./load";
import { fromStored, overlayFiles } from "./overlay";

/** What this process serves: the shipped content with the organisation's published items over it. */
type Loaded = { revision: string; own: ReadonlyMap<string, string>; content: ContentSet };

// On globalThis: Next.js bundles instrumentation and routes separately, and both must see one copy.
const store = globalThis as unknown as { __clearanceContent?: Loaded };

/**
 * The validated content, loaded once per process and again whenever the
 * organisation publishes (`refreshContent` in lib/content/published.ts). Invalid
 * items are left out (and reported once) instead of breaking pages;
 * `npm run content:check` fails CI on the same problems before they ship, and
 * publishing in the app refuses them.
 */
export function getContent(): ContentSet {
  store.__clearanceContent ??= load("shipped", new Map());
  return store.__clearanceContent.content;
}

/** The revision of the organisation's content this process serves ("shipped" before any publication is loaded). */
export function contentRevision(): string {
  return store.__clearanceContent?.revision ?? "shipped";
}

/** Serves `own` (paths relative to content/ → text) over the shipped content from now on. */
export function serveOwnContent(revision: string, own: ReadonlyMap<string, string>): ContentSet {
  store.__clearanceContent = load(revision, own);
  return store.__clearanceContent.content;
}

function load(revision: string, own: ReadonlyMap<string, string>): Loaded {
  const content = own.size ? loadContent(CONTENT_DIR, overlayFiles(CONTENT_DIR, own)) : loadContent();
  if (content.problems.length > 0) {
    log().error({ problems: formatProblems(content.problems) }, "content problems: run npm run content:check");
  }
  return { revision, own, content };
}

export function getCourse(id: string) {
  return getContent().courses.find((c) => c.id === id) ?? null;
}

export function getAgreementTemplate(id: string) {
  return getContent().agreements.find((a) => a.id === id) ?? null;
}

/** The policy PDF of an agreement whose document is one, as served now (the organisation's version, else the shipped file). */
export function agreementDocument(id: string): Buffer | null {
  const template = getAgreementTemplate(id);
  if (!template?.pdf) return null;
  const rel = `agreements/${id}.pdf`;
  const own = store.__clearanceContent?.own.get(rel);
  if (own !== undefined) return fromStored(rel, own);
  const file = path.join(CONTENT_DIR, rel);
  return existsSync(file) ? readFileSync(file) : null;
}

/**
 * An image of a course's lessons as served now: from the organisation's own
 * published course when it has one (which replaces the shipped folder whole),
 * else from the shipped content/ folder. Null unless the bytes are the image
 * their name says.
 */
export function courseImage(courseId: string, name: string): { bytes: Buffer; type: ImageType } | null {
  if (!IMAGE_NAME.test(name) || !getCourse(courseId)) return null;
  const rel = `courses/${courseId}/images/${name}`;
  const own = store.__clearanceContent?.own;
  let bytes: Buffer | null = null;
  const stored = own?.get(rel);
  if (stored !== undefined) bytes = fromStored(rel, stored);
  else if (![...(own?.keys() ?? [])].some((k) => k.startsWith(`courses/${courseId}/`))) {
    const file = path.join(CONTENT_DIR, rel);
    bytes = existsSync(file) ? readFileSync(file) : null;
  }
  const type = bytes && sniffImage(bytes);
  return bytes && type && type === declaredType(name) ? { bytes, type } : null;
}

export function getGuide(slug: string) {
  return getContent().guides.find((g) => g.slug === slug) ?? null;
}
