import { employeeConsentCheck } from "@/lib/agreements/employee-agreements";
import { routeViewer } from "@/lib/auth/gate";
import { DomainError } from "@/lib/errors";
import { observed } from "@/lib/http/observe";
import { pdfResponse } from "@/lib/http/responses";
import { isUuid } from "@/lib/ids";

/** The consent-check PDF for the viewer's own open signing; any other ceremony is a 404. */
async function handleGet(_request: Request, { params }: { params: Promise<{ ceremonyId: string }> }) {
  const auth = await routeViewer("download:/agreements/consent-check/[ceremonyId]", {
    signedOut: "Sign in to continue signing.",
  });
  if (!auth.ok) return auth.response;
  const { ceremonyId } = await params;
  if (!isUuid(ceremonyId)) return new Response("Not found.", { status: 404 });
  try {
    const { filename, bytes } = await employeeConsentCheck(auth.viewer, ceremonyId);
    return pdfResponse(bytes, filename);
  } catch (error) {
    if (error instanceof DomainError) return new Response("Not found.", { status: 404 });
    throw error;
  }
}

export const GET = observed("/agreements/consent-check/[ceremonyId]", handleGet);
