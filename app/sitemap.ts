import type { MetadataRoute } from "next";

import { getContent } from "@/lib/content";
import { publicUrl } from "@/lib/content/organisation";

export const dynamic = "force-static";

/** The pages anyone may read without an account. */
export default function sitemap(): MetadataRoute.Sitemap {
  const { guides, privacyNotice } = getContent();
  const latestReview = guides
    .map((g) => g.lastReviewed)
    .sort()
    .at(-1);
  return [
    { url: publicUrl("/") },
    { url: publicUrl("/guides"), ...(latestReview && { lastModified: latestReview }) },
    ...guides.map((g) => ({ url: publicUrl(`/guides/${g.slug}`), lastModified: g.lastReviewed })),
    { url: publicUrl("/privacy"), ...(privacyNotice && { lastModified: privacyNotice.lastUpdated }) },
    { url: publicUrl("/verify") },
  ];
}
