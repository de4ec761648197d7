import type { PrivacyNotice } from "@/lib/content/load";
import { renderMarkdown } from "@/lib/content/markdown";
import { fillOrganisationName } from "@/lib/content/organisation";
import { formatLongDate } from "@/lib/format";

import { html, trustedHtml } from "./html";
import { renderPublicDocument } from "./public-document";

export function renderPrivacyPage(notice: PrivacyNotice, organisation: string): string {
  return renderPublicDocument({
    title: notice.title,
    description: `How ${organisation} collects, uses, shares and protects personal data when providing technical support, and the rights you have.`,
    path: "/privacy",
    current: "privacy",
    main: html`<article class="wrap wrap-narrow privacy-pad">
<header class="article-header">
<p class="eyebrow">${organisation}</p>
<h1 class="page-title">${notice.title}</h1>
<dl class="facts"><div><dt>Last updated</dt><dd><time datetime="${notice.lastUpdated}">${formatLongDate(notice.lastUpdated)}</time></dd></div><div><dt>Version</dt><dd>${notice.version}</dd></div></dl>
</header>
<div class="prose-content">
${trustedHtml(fillOrganisationName(renderMarkdown(notice.body), organisation))}</div>
<p class="card callout">Want the practical side? Our <a href="/guides" class="link">privacy guides</a> explain your rights, what support collects and how to keep your accounts safe.</p>
</article>`,
  });
}
