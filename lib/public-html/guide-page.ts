import type { Guide } from "@/lib/content/load";
import { renderMarkdown } from "@/lib/content/markdown";
import { formatLongDate } from "@/lib/format";

import { html, trustedHtml } from "./html";
import { renderPublicDocument } from "./public-document";

export const SELF_CHECK_SCRIPT = "/scripts/self-check.js";

type Question = NonNullable<Guide["quiz"]>[number];

/**
 * One practice question. Without JavaScript the reader picks an option and
 * opens "Show the answer"; the self-check script replaces that with grading
 * on "Check answer" (the button stays disabled until then, so Enter cannot
 * submit the form to the server).
 */
function question(q: Question, index: number) {
  const name = `self-check-${index + 1}`;
  return html`<li>
<form class="card sc-question" data-answer="${q.answer}">
<fieldset>
<legend><span class="sc-number">${index + 1}.</span> ${q.prompt}</legend>
<div class="sc-options">
${q.options.map((option, i) => html`<label class="sc-option"><input type="radio" name="${name}" value="${i}"><span>${option}</span></label>\n`)}</div>
</fieldset>
<details class="sc-reveal">
<summary>Show the answer</summary>
<div class="sc-verdict"><p class="sc-verdict-title">The answer is: ${q.options[q.answer]}</p><p data-explanation>${q.explanation}</p></div>
</details>
<button type="submit" class="btn btn-primary sc-check" hidden disabled>Check answer</button>
<div class="sc-feedback" aria-live="polite"></div>
</form>
</li>
`;
}

function selfCheck(questions: readonly Question[]) {
  return html`<section aria-labelledby="self-check" class="self-check" data-self-check>
<h2 id="self-check">Check yourself</h2>
<p class="sc-intro">A quick practice quiz. It is checked here in your browser: your answers are not sent anywhere or recorded.</p>
<ol class="sc-list">
${questions.map(question)}</ol>
<div class="sc-summary" hidden>
<p role="status" class="sc-score"></p>
<button type="button" class="btn btn-secondary" hidden>Start again</button>
</div>
</section>`;
}

function relatedGuides(related: readonly Guide[]) {
  if (related.length === 0) return "";
  return html`<nav aria-labelledby="related" class="related">
<h2 id="related">Related guides</h2>
<ul class="related-list">
${related.map((g) => html`<li><a href="/guides/${g.slug}" class="card related-card"><span class="related-title">${g.title}</span><span class="related-meta">${g.readingMinutes} min read</span></a></li>\n`)}</ul>
</nav>`;
}

export function renderGuidePage(guide: Guide, related: readonly Guide[]): string {
  const quiz = guide.quiz ?? [];
  return renderPublicDocument({
    title: guide.title,
    description: guide.description,
    path: `/guides/${guide.slug}`,
    current: "guides",
    openGraph: { type: "article", modifiedTime: guide.lastReviewed },
    scripts: quiz.length > 0 ? [SELF_CHECK_SCRIPT] : [],
    main: html`<div class="wrap wrap-narrow guide-pad">
<nav aria-label="Breadcrumb" class="breadcrumb">
<ol><li><a href="/guides">Guides</a></li><li aria-hidden="true">/</li><li aria-current="page">${guide.title}</li></ol>
</nav>
<article class="guide">
<header class="article-header">
<span class="badge">${guide.topic}</span>
<h1 class="page-title">${guide.title}</h1>
<p class="article-description">${guide.description}</p>
<p class="meta"><span>${guide.readingMinutes} min read</span><span aria-hidden="true">·</span><span>Last reviewed <time datetime="${guide.lastReviewed}">${formatLongDate(guide.lastReviewed)}</time></span></p>
</header>
<div class="prose-content">
${trustedHtml(renderMarkdown(guide.body))}</div>
${quiz.length > 0 ? selfCheck(quiz) : ""}
</article>
${relatedGuides(related)}
<p class="back-link"><a href="/guides" class="link">← All guides</a></p>
</div>`,
  });
}
