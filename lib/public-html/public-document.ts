import { publicUrl } from "@/lib/content/organisation";

import { brandColour, logoPaths } from "./brand";
import { html, type Html } from "./html";
import { footerLinks, footerTagline, mainNavLinks, signInLink, type MainNavKey } from "./site-links";

/**
 * The frame of every public page: a complete HTML document with its metadata,
 * the public header and footer, one stylesheet and at most the scripts a page
 * names. No framework runtime, no cookies, nothing from another origin.
 */

const SITE_NAME = "Clearance";
export const PUBLIC_STYLESHEET = "/styles/public.css";

export type PublicPage = {
  /** The page's own title; the site name is added. */
  title: string;
  /** For search results and link previews: 50–160 characters. */
  description: string;
  /** The canonical path, e.g. "/guides/strong-passwords"; none for an error page, which is kept out of search results. */
  path?: string;
  /** Which header link is the current page. */
  current?: MainNavKey;
  /** Open Graph type; articles carry the date they were last reviewed. */
  openGraph?: { type: "website" } | { type: "article"; modifiedTime: string };
  /** Extra elements for the head, such as a feed link. */
  head?: Html;
  /** Same-origin scripts, loaded deferred. */
  scripts?: readonly string[];
  main: Html;
};

const logoSvg = (className: string) =>
  html`<svg class="${className}" aria-hidden="true" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${logoPaths.map((d) => html`<path d="${d}"/>`)}</svg>`;

// The mark as the tab icon, inline so the browser does not ask for /favicon.ico.
const faviconHref = `data:image/svg+xml,${encodeURIComponent(
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="${brandColour}" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${logoPaths.map((d) => `<path d="${d}"/>`).join("")}</svg>`,
)}`;

function header(current: MainNavKey | undefined): Html {
  return html`<header class="site-header">
<div class="wrap site-header-row">
<a href="/" class="logo" aria-label="Clearance home">${logoSvg("logo-mark")}Clearance</a>
<nav aria-label="Main" class="main-nav">
${mainNavLinks.map(
  (
    l,
  ) => html`<a href="${l.href}" class="main-nav-link"${current === l.key ? html` aria-current="page"` : ""}>${l.label}</a>
`,
)}<a href="${signInLink.href}" class="btn btn-primary">${signInLink.label}</a>
</nav>
</div>
</header>`;
}

function footer(): Html {
  return html`<footer class="site-footer">
<div class="wrap site-footer-row">
<p>${footerTagline}</p>
<nav aria-label="Footer" class="footer-nav">
${footerLinks.map(
  (l) => html`<a href="${l.href}">${l.label}</a>
`,
)}</nav>
</div>
</footer>`;
}

function linkTags(page: PublicPage): Html {
  if (page.path === undefined) return html`<meta name="robots" content="noindex">`;
  const og = page.openGraph ?? { type: "website" };
  return html`<link rel="canonical" href="${publicUrl(page.path)}">
<meta property="og:type" content="${og.type}">
<meta property="og:title" content="${page.title}">
<meta property="og:description" content="${page.description}">
<meta property="og:url" content="${publicUrl(page.path)}">
${og.type === "article" ? html`<meta property="article:modified_time" content="${og.modifiedTime}">\n` : ""}<meta name="twitter:card" content="summary">
<meta name="twitter:title" content="${page.title}">
<meta name="twitter:description" content="${page.description}">`;
}

export function renderPublicDocument(page: PublicPage): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} · ${SITE_NAME}</title>
<meta name="description" content="${page.description}">
${linkTags(page)}
<link rel="icon" href="${faviconHref}">
<link rel="stylesheet" href="${PUBLIC_STYLESHEET}">
${page.head ?? ""}${(page.scripts ?? []).map((src) => html`<script src="${src}" defer></script>\n`)}</head>
<body>
<a href="#main" class="skip-link">Skip to content</a>
${header(page.current)}
<main id="main">
${page.main}
</main>
${footer()}
</body>
</html>
`.markup;
}

/** A "page not found" document in the same frame, for content that is missing. */
export function renderNotFoundDocument(): string {
  return renderPublicDocument({
    title: "Page not found",
    description:
      "The page you asked for does not exist or has moved. Read our privacy guides or go to the Clearance home page.",
    main: html`<div class="wrap wrap-narrow page-pad">
<p class="eyebrow">404</p>
<h1 class="page-title">Page not found</h1>
<p class="lead">The page you asked for does not exist or has moved.</p>
<p class="actions"><a href="/" class="btn btn-primary">Go to the home page</a></p>
</div>`,
  });
}

export function htmlResponse(document: string, status = 200): Response {
  return new Response(document, { status, headers: { "Content-Type": "text/html; charset=utf-8" } });
}
