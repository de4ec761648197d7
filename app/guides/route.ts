import { getContent } from "@/lib/content";
import { renderGuideIndexPage } from "@/lib/public-html/guide-index-page";
import { htmlResponse } from "@/lib/public-html/public-document";

// A plain HTML document built once at build time: no React runtime, no cookies.
export const dynamic = "force-static";

export function GET(): Response {
  return htmlResponse(renderGuideIndexPage(getContent().guides));
}
