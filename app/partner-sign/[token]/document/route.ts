import { partnerBrowserKey } from "@/lib/agreements/partner-browser";
import { partnerSignedCopy } from "@/lib/agreements/partner-signing";
import { NotFoundError } from "@/lib/errors";
import { observed } from "@/lib/http/observe";
import { requestMeta } from "@/lib/http/request-context";
import { pdfResponse } from "@/lib/http/responses";

/**
 * The partner's sealed copy, right after signing. The link's token and the cookie of the browser that
 * confirmed the emailed code are the credential (lib/agreements/partner-signing.ts); anyone else gets a 404.
 */
async function handleGet(_request: Request, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  try {
    const meta = await requestMeta();
    const { filename, bytes } = await partnerSignedCopy(token, await partnerBrowserKey(token), {
      actorId: null,
      actorLabel: "partner signer",
      ...meta,
    });
    return pdfResponse(bytes, filename);
  } catch (error) {
    if (error instanceof NotFoundError) return new Response("Not found.", { status: 404 });
    throw error;
  }
}

export const GET = observed("/partner-sign/[token]/document", handleGet);
