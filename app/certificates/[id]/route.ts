import { routeViewer } from "@/lib/auth/gate";
import { auditContext } from "@/lib/auth/viewer";
import { DomainError, NotFoundError } from "@/lib/errors";
import { observed } from "@/lib/http/observe";
import { pdfResponse } from "@/lib/http/responses";
import { isUuid } from "@/lib/ids";
import { certificatePdf } from "@/lib/training/certificate-pdf";

async function handleGet(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const auth = await routeViewer("download:/certificates/[id]", { signedOut: "Sign in to download certificates." });
  if (!auth.ok) return auth.response;
  const { viewer } = auth;
  const { id } = await params;
  if (!isUuid(id)) return new Response("Not found.", { status: 404 });
  try {
    const { filename, bytes } = await certificatePdf(viewer, await auditContext(viewer), id);
    return pdfResponse(bytes, filename);
  } catch (error) {
    if (error instanceof NotFoundError) return new Response("Not found.", { status: 404 });
    // The seal could not be made (the time-stamping authority failed), or the certification was annulled: say so.
    if (error instanceof DomainError)
      return new Response(error.message, {
        status: error.status,
        headers: error.status >= 500 ? { "Retry-After": "60" } : undefined,
      });
    throw error;
  }
}

export const GET = observed("/certificates/[id]", handleGet);
