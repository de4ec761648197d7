import { getContent } from "@/lib/content";
import { organisationName, publicUrl } from "@/lib/content/organisation";

export const dynamic = "force-static";

function xml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const atomDate = (isoDay: string) => `${isoDay}T00:00:00Z`;

/** An Atom 1.0 feed of the privacy guides; an entry is "updated" when its guide was last reviewed. */
export function GET(): Response {
  const guides = [...getContent().guides].sort(
    (a, b) => b.lastReviewed.localeCompare(a.lastReviewed) || a.title.localeCompare(b.title),
  );
  const org = organisationName();
  const updated = guides.length > 0 ? atomDate(guides[0].lastReviewed) : "1970-01-01T00:00:00Z";

  const entries = guides.map((g) => {
    const url = publicUrl(`/guides/${g.slug}`);
    return [
      "  <entry>",
      `    <id>${xml(url)}</id>`,
      `    <title>${xml(g.title)}</title>`,
      `    <updated>${atomDate(g.lastReviewed)}</updated>`,
      `    <link rel="alternate" type="text/html" href="${xml(url)}"/>`,
      `    <category term="${xml(g.topic)}"/>`,
      `    <summary>${xml(g.description)}</summary>`,
      "  </entry>",
    ].join("\n");
  });

  const body = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${xml(publicUrl("/guides"))}</id>`,
    `  <title>${xml(`Privacy guides · ${org}`)}</title>`,
    "  <subtitle>Practical guides to keeping your accounts and data safe.</subtitle>",
    `  <updated>${updated}</updated>`,
    `  <link rel="self" type="application/atom+xml" href="${xml(publicUrl("/guides/feed.xml"))}"/>`,
    `  <link rel="alternate" type="text/html" href="${xml(publicUrl("/guides"))}"/>`,
    `  <author><name>${xml(org)}</name></author>`,
    ...entries,
    "</feed>",
    "",
  ].join("\n");

  return new Response(body, { headers: { "Content-Type": "application/atom+xml; charset=utf-8" } });
}
