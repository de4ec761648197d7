import { describe, expect, it } from "vitest";

import { loadContent, type Guide } from "@/lib/content/load";
import { formatLongDate } from "@/lib/format";
import { renderGuideIndexPage } from "@/lib/public-html/guide-index-page";
import { renderGuidePage } from "@/lib/public-html/guide-page";
import { html, trustedHtml } from "@/lib/public-html/html";
import { renderPrivacyPage } from "@/lib/public-html/privacy-page";

const content = loadContent();

const guide = (overrides: Partial<Guide> = {}): Guide => ({
  slug: "a-guide",
  title: "A guide",
  description: "A description long enough to be shown in search results as it is.",
  topic: "accounts",
  readingMinutes: 3,
  lastReviewed: "2026-02-03",
  related: [],
  body: "Some **text**.",
  ...overrides,
});

describe("public pages: the HTML builder", () => {
  it("escapes interpolated text, in element bodies and attribute values", () => {
    const value = `"><script>alert('x')</script>&`;
    expect(html`<p title="${value}">${value}</p>`.markup).toBe(
      '<p title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</p>',
    );
  });

  it("keeps markup that is already HTML, joins lists and leaves out nothing-values", () => {
    const items = ["a<b", "c"].map((t) => html`<li>${t}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}`.markup).toBe("<ul><li>a&lt;b</li><li>c</li></ul>0");
    expect(html`<div>${trustedHtml("<em>kept</em>")}</div>`.markup).toBe("<div><em>kept</em></div>");
  });

  it("formats review dates the same wherever the server runs", () => {
    expect(formatLongDate("2026-11-01")).toBe("1 November 2026");
    expect(formatLongDate("2026-01-31")).toBe("31 January 2026");
  });
});

describe("public pages: documents", () => {
  it("a guide is a complete document: language, viewport, title, description, canonical address, Open Graph", () => {
    const doc = renderGuidePage(guide(), []);
    expect(doc).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(doc).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(doc).toContain("<title>A guide · Clearance</title>");
    expect(doc).toContain(
      '<meta name="description" content="A description long enough to be shown in search results as it is.">',
    );
    expect(doc).toMatch(/<link rel="canonical" href="https?:\/\/[^"]+\/guides\/a-guide">/);
    expect(doc).toContain('<meta property="article:modified_time" content="2026-02-03">');
    expect(doc).toContain('<a href="#main" class="skip-link">Skip to content</a>');
    expect(doc).toContain('<main id="main">');
    expect(doc).toContain('Last reviewed <time datetime="2026-02-03">3 February 2026</time>');
    expect(doc).toContain("<strong>text</strong>");
  });

  it("escapes what comes from content, so a title cannot become markup", () => {
    const doc = renderGuidePage(
      guide({
        title: 'Spot <script>alert(1)</script> "quotes"',
        description: 'Say "no" to <b>anyone</b> asking for your password or codes, always.',
      }),
      [],
    );
    expect(doc).not.toContain("<script>alert(1)</script>");
    expect(doc).not.toContain("<b>anyone</b>");
    expect(doc).toContain("<title>Spot &lt;script&gt;alert(1)&lt;/script&gt; &quot;quotes&quot; · Clearance</title>");
    expect(doc).toContain(
      'content="Say &quot;no&quot; to &lt;b&gt;anyone&lt;/b&gt; asking for your password or codes, always."',
    );
  });

  it("loads no script at all unless the guide has a self-check, and then only the self-check", () => {
    const scripts = (doc: string) => [...doc.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts(renderGuidePage(guide(), []))).toEqual([]);
    const quiz = [{ prompt: "Pick one", options: ["Right", "Wrong"], answer: 0, explanation: "Because." }];
    const withQuiz = renderGuidePage(guide({ quiz }), []);
    expect(scripts(withQuiz)).toEqual(['<script src="/scripts/self-check.js" defer>']);
    // Without JavaScript the answer is a disclosure and the check button cannot submit the form.
    expect(withQuiz).toContain("<summary>Show the answer</summary>");
    expect(withQuiz).toContain(
      '<button type="submit" class="btn btn-primary sc-check" hidden disabled>Check answer</button>',
    );
    expect(withQuiz).not.toContain("/_next/");
  });

  it("the index lists every shipped guide, with the filter controls only in their template", () => {
    const doc = renderGuideIndexPage(content.guides);
    expect(content.guides.length).toBeGreaterThan(0);
    for (const g of content.guides) expect(doc).toContain(`<a href="/guides/${g.slug}">`);
    const outsideTemplate = doc.replace(/<template>[\s\S]*?<\/template>/, "");
    expect(outsideTemplate).not.toContain('type="search"');
    expect(outsideTemplate).not.toContain('role="group"');
    expect(doc).toContain(
      '<link rel="alternate" type="application/atom+xml" title="Privacy guides" href="/guides/feed.xml">',
    );
  });

  it("every shipped guide's description fits a search result (50–160 characters)", () => {
    for (const g of content.guides) expect(g.description.length, g.slug).toBeGreaterThanOrEqual(50);
    for (const g of content.guides) expect(g.description.length, g.slug).toBeLessThanOrEqual(160);
  });

  it("the privacy notice names the organisation as text, its version and its date", () => {
    const notice = content.privacyNotice!;
    const doc = renderPrivacyPage(notice, "Acme <Support> & Co");
    expect(doc).not.toMatch(/\{\{/);
    expect(doc).toContain("Acme &lt;Support&gt; &amp; Co");
    expect(doc).not.toContain("<Support>");
    expect(doc).toContain(`<dt>Version</dt><dd>${notice.version}</dd>`);
    expect(doc).toContain(`<time datetime="${notice.lastUpdated}">`);
    expect(doc).toContain('<a href="/privacy" class="main-nav-link" aria-current="page">Privacy</a>');
  });
});
