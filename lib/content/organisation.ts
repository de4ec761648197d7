import { orgNameForStaticPages, publicBaseUrlForStaticPages } from "@/lib/env";

/**
 * What the statically built public pages (guides, privacy notice, sitemap,
 * feed) need from configuration. They are rendered by `next build`, which has
 * no production secrets, so they must not call env().
 */

export function organisationName(): string {
  return orgNameForStaticPages();
}

/** An absolute URL on the public site, for the sitemap, the feed and metadata. */
export function publicUrl(pathname = "/"): string {
  return `${publicBaseUrlForStaticPages()}${pathname.startsWith("/") ? pathname : `/${pathname}`}`;
}

// The name goes into Markdown: its punctuation must stay text, not markup.
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()<>#+!|~]/g, (c) => `\\${c}`);
}

/** Fills `{{organisation.name}}` in content such as the privacy notice. */
export function fillOrganisationName(markdown: string, name = organisationName()): string {
  return markdown.replace(/\{\{\s*organisation\.name\s*\}\}/g, () => escapeMarkdown(name));
}
