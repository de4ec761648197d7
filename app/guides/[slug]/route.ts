import { getContent, getGuide } from "@/lib/content";
import { renderGuidePage } from "@/lib/public-html/guide-page";
import { htmlResponse, renderNotFoundDocument } from "@/lib/public-html/public-document";

// Every guide is a plain HTML document built at build time; any other slug is a 404.
export const dynamic = "force-static";
export const dynamicParams = false;

export function generateStaticParams(): { slug: string }[] {
  return getContent().guides.map((g) => ({ slug: g.slug }));
}

export async function GET(_request: Request, { params }: { params: Promise<{ slug: string }> }): Promise<Response> {
  const guide = getGuide((await params).slug);
  if (!guide) return htmlResponse(renderNotFoundDocument(), 404);
  const related = guide.related.map((slug) => getGuide(slug)).filter((g) => g !== null);
  return htmlResponse(renderGuidePage(guide, related));
}
