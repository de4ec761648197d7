import { publicSettings } from "@/lib/env";
import { escapeHtml } from "@/lib/public-html/html";

/**
 * What the statically built public pages (guides, privacy notice, sitemap,
 * feed) need from configuration. They are rendered by `next build`, which has
 * no production secrets, so they read publicSettings(), never env().
 */

export function organisationName(): string {
  return publicSettings().ORG_NAME;
}

/** An absolute URL on the public site, for the sitemap, the feed and metadata. */
export function publicUrl(pathname = "/"): string {
  return `${publicSettings().APP_URL.replace(/\/$/, "")}${pathname.startsWith("/") ? pathname : `/${pathname}`}`;
}

/**
 * Fills `{{organisation.name}}` in content rendered to HTML, such as the privacy
 * notice. Filling after rendering keeps the name plain text, whatever
 * characters it contains.
 */
export function fillOrganisationName(html: string, name = organisationName()): string {
  return html.replace(/\{\{\s*organisation\.name\s*\}\}/g, () => escapeHtml(name));
}
