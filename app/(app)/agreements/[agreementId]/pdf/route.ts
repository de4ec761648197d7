import { markRead } from "@/lib/agreements/employee-agreements";
import { routeViewer } from "@/lib/auth/gate";
import { agreementDocument, getAgreementTemplate } from "@/lib/content";
import { DomainError } from "@/lib/errors";
import { observed } from "@/lib/http/observe";
import { pdfResponse } from "@/lib/http/responses";
import { isUuid } from "@/lib/ids";

/**
 * The policy PDF of an agreement whose document is one, as in force now. With
 * `?ceremony=<id>` of the viewer's own open signing, opening it is recorded
 * there: a policy that must be read cannot be signed before it was opened.
 */
async function handleGet(request: Request, { params }: { params: Promise<{ agreementId: string }> }) {
  const auth = await routeViewer("download:/agreements/[agreementId]/pdf", {
    signedOut: "Sign in to open the policy.",
  });
  if (!auth.ok) return auth.response;
  const { agreementId } = await params;
  const template = getAgreementTemplate(agreementId);
  const bytes = template?.audience === "employee" ? agreementDocument(agreementId) : null;
  if (!template || !bytes) return new Response("Not found.", { status: 404 });
  const ceremony = new URL(request.url).searchParams.get("ceremony");
  if (ceremony && isUuid(ceremony)) {
    try {
      await markRead(auth.viewer, template.id, ceremony);
    } catch (error) {
      // Not the viewer's own open signing: the document is still theirs to read, nothing is recorded.
      if (!(error instanceof DomainError)) throw error;
    }
  }
  const response = pdfResponse(bytes, `${template.id}-v${template.version}.pdf`);
  response.headers.set("Content-Disposition", `inline; filename="${template.id}-v${template.version}.pdf"`);
  return response;
}

export const GET = observed("/agreements/[agreementId]/pdf", handleGet);
