import type { MetadataRoute } from "next";

import { publicUrl } from "@/lib/content/organisation";

export const dynamic = "force-static";

/** Crawlers may read the public pages; signed-in areas and the API are off limits. */
export default function robots(): MetadataRoute.Robots {
  return {
    rules: { userAgent: "*", allow: "/", disallow: ["/api/", "/dashboard", "/admin", "/account", "/audit"] },
    sitemap: publicUrl("/sitemap.xml"),
  };
}
