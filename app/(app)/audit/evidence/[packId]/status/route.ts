import { routeViewer } from "@/lib/auth/gate";
import { NotFoundError } from "@/lib/errors";
import { evidencePackStatus } from "@/lib/evidence/packs";
import { observed } from "@/lib/http/observe";
import { apiError } from "@/lib/http/responses";

export const dynamic = "force-dynamic";

/** Where a pack is: the progress bar polls this while it is made. */
async function handleGet(_request: Request, { params }: { params: Promise<{ packId: string }> }) {
  const auth = await routeViewer("route:/audit/evidence/[packId]/status", {
    forbidden: "Only auditors and compliance admins can see evidence packs.",
  });
  if (!auth.ok) return auth.response;
  try {
    const status = await evidencePackStatus(auth.viewer, (await params).packId);
    return Response.json(status, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    if (error instanceof NotFoundError) return apiError(404, "not_found", error.message);
    throw error;
  }
}

export const GET = observed("/audit/evidence/[packId]/status", handleGet);
