import { signedPdf } from "@/lib/agreements/signed-documents";
import { routeViewer } from "@/lib/auth/gate";
import { auditContext } from "@/lib/auth/viewer";
import { NotFoundError } from "@/lib/errors";
import { observed } from "@/lib/http/observe";
import { pdfResponse } from "@/lib/http/responses";
import { isUuid } from "@/lib/ids";

async function handleGet(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const auth = await routeViewer("download:/agreements/documents/[id]", {
    signedOut: "Sign in to download documents.",
  });
  if (!auth.ok) return auth.response;
  const { viewer } = auth;
  const { id } = await params;
  if (!isUuid(id)) return new Response("Not found.", { status: 404 });
  try {
    const { filename, bytes } = await signedPdf(viewer, await auditContext(viewer), id);
    return pdfResponse(bytes, filename);
  } catch (error) {
    if (error instanceof NotFoundError) return new Response("Not found.", { status: 404 });
    throw error;
  }
}

export const GET = observed("/agreements/documents/[id]", handleGet);
