import { partnerBrowserKey } from "@/lib/agreements/partner-browser";
import { partnerConsentCheck } from "@/lib/agreements/partner-signing";
import { DomainError } from "@/lib/errors";
import { observed } from "@/lib/http/observe";
import { pdfResponse } from "@/lib/http/responses";

/**
 * The consent-check PDF for the partner's signing. The link's token and the cookie of the browser that
 * confirmed the emailed code are the credential; anyone else gets a 404.
 */
async function handleGet(_request: Request, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return new Response("Not found.", { status: 404 });
  try {
    const { filename, bytes } = await partnerConsentCheck(token, await partnerBrowserKey(token));
    return pdfResponse(bytes, filename);
  } catch (error) {
    if (error instanceof DomainError) return new Response("Not found.", { status: 404 });
    throw error;
  }
}

export const GET = observed("/partner-sign/[token]/consent-check", handleGet);
