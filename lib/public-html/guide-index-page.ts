import type { Guide } from "@/lib/content/load";
import { GUIDE_TOPICS } from "@/lib/content/schemas";
import { formatLongDate } from "@/lib/format";

import { html } from "./html";
import { renderPublicDocument } from "./public-document";

const title = "Privacy guides";
const description =
  "Short, practical guides to keeping your accounts and data safe: passwords, MFA, scams, what support will never ask, and your privacy rights.";

export const GUIDE_FILTER_SCRIPT = "/scripts/guide-filter.js";

/** What the filter searches: the words a reader sees on the card. */
const searchText = (g: Guide) => `${g.title} ${g.description} ${g.topic}`.toLowerCase();

function guideCard(g: Guide) {
  return html`<li data-topic="${g.topic}" data-search="${searchText(g)}">
<article class="card guide-card">
<div><span class="badge">${g.topic}</span></div>
<h2><a href="/guides/${g.slug}">${g.title}</a></h2>
<p class="guide-card-text">${g.description}</p>
<p class="meta"><span>${g.readingMinutes} min read</span><span aria-hidden="true">·</span><span>Reviewed <time datetime="${g.lastReviewed}">${formatLongDate(g.lastReviewed)}</time></span></p>
</article>
</li>
`;
}

/**
 * The guide index. Every guide is in the HTML; the search box and topic chips
 * sit in a template that the filter script adds, so a reader without
 * JavaScript sees the full list and no controls that do nothing.
 */
export function renderGuideIndexPage(guides: readonly Guide[]): string {
  const topics = GUIDE_TOPICS.filter((t) => guides.some((g) => g.topic === t));
  return renderPublicDocument({
    title,
    description,
    path: "/guides",
    current: "guides",
    head: html`<link rel="alternate" type="application/atom+xml" title="${title}" href="/guides/feed.xml">\n`,
    scripts: [GUIDE_FILTER_SCRIPT],
    main: html`<section class="hero">
<div class="wrap hero-pad">
<p class="eyebrow">Privacy awareness</p>
<h1 class="page-title">Guides to keeping your data safe</h1>
<p class="lead">${description}</p>
<p class="small hero-note">Read them freely: no account, no cookies, no tracking. <a href="/privacy" class="link">Our privacy notice</a> · <a href="/guides/feed.xml" class="link">Atom feed</a></p>
</div>
</section>
<div class="wrap section-pad" data-guide-filter>
<template>
<div role="search" aria-label="Guides" class="card search-panel">
<label for="guide-search" class="field-label">Search guides</label>
<input id="guide-search" type="search" class="input" placeholder="e.g. passwords, scams, backup" autocomplete="off">
<div role="group" aria-label="Topic" class="chips">
<button type="button" class="chip" data-topic="" aria-pressed="true">All topics</button>
${topics.map((t) => html`<button type="button" class="chip chip-topic" data-topic="${t}" aria-pressed="false">${t}</button>\n`)}</div>
</div>
</template>
<p role="status" class="result-count sr-only">${guides.length} guides</p>
<div class="empty-state" data-guide-empty hidden>
<p>No guides match your search.</p>
<button type="button" class="link">Show all guides</button>
</div>
<ul aria-label="Guides" class="guide-grid">
${guides.map(guideCard)}</ul>
</div>`,
  });
}
