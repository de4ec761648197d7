import { signedPdf } from "@/lib/agreements/signed-documents";
import { auditContext, getViewer } from "@/lib/auth/viewer";
import { NotFoundError } from "@/lib/errors";
import { pdfResponse } from "@/lib/http/responses";

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const viewer = await getViewer();
  if (!viewer) return new Response("Sign in to download documents.", { status: 401 });
  const { id } = await params;
  if (!/^[0-9a-f-]{36}$/.test(id)) return new Response("Not found.", { status: 404 });
  try {
    const { filename, bytes } = await signedPdf(viewer, await auditContext(viewer), id);
    return pdfResponse(bytes, filename);
  } catch (error) {
    if (error instanceof NotFoundError) return new Response("Not found.", { status: 404 });
    throw error;
  }
}
