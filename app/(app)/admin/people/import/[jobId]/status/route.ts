import { routeViewer } from "@/lib/auth/gate";
import { NotFoundError } from "@/lib/errors";
import { observed } from "@/lib/http/observe";
import { apiError } from "@/lib/http/responses";
import { importJobStatus } from "@/lib/people/import-jobs";

export const dynamic = "force-dynamic";

/** Where an import job is: the progress bar polls this while the file is validated or applied. */
async function handleGet(_request: Request, { params }: { params: Promise<{ jobId: string }> }) {
  const auth = await routeViewer("route:/admin/people/import/[jobId]/status", {
    forbidden: "Only compliance admins can see imports.",
  });
  if (!auth.ok) return auth.response;
  try {
    const status = await importJobStatus(auth.viewer, (await params).jobId);
    return Response.json(status, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    if (error instanceof NotFoundError) return apiError(404, "not_found", error.message);
    throw error;
  }
}

export const GET = observed("/admin/people/import/[jobId]/status", handleGet);
