import { getContent } from "@/lib/content";
import { organisationName } from "@/lib/content/organisation";
import { renderPrivacyPage } from "@/lib/public-html/privacy-page";
import { htmlResponse, renderNotFoundDocument } from "@/lib/public-html/public-document";

// A plain HTML document built once at build time: no React runtime, no cookies.
export const dynamic = "force-static";

export function GET(): Response {
  const notice = getContent().privacyNotice;
  if (!notice) return htmlResponse(renderNotFoundDocument(), 404);
  return htmlResponse(renderPrivacyPage(notice, organisationName()));
}
