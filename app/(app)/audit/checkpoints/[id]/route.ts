import { auditCheckpointFile } from "@/lib/audit/read-checkpoints";
import { routeViewer } from "@/lib/auth/gate";
import { observed } from "@/lib/http/observe";
import { apiError } from "@/lib/http/responses";

export const dynamic = "force-dynamic";

/** A signed checkpoint as the self-contained JSON file `npm run audit:verify -- --checkpoint FILE` checks. */
async function handleGet(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const auth = await routeViewer("download:/audit/checkpoints/[id]", {
    signedOut: "Sign in to download audit checkpoints.",
    forbidden: "Only auditors and compliance admins can download audit checkpoints.",
  });
  if (!auth.ok) return auth.response;
  const { id } = await params;
  const number = /^[1-9][0-9]{0,15}$/.test(id) ? Number(id) : NaN;
  const file = Number.isSafeInteger(number) ? await auditCheckpointFile(auth.viewer, number) : null;
  if (!file) return apiError(404, "not_found", "No such checkpoint.");
  return new Response(file.document, {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="audit-checkpoint-${file.id}-${file.createdAt.toISOString().slice(0, 13)}.json"`,
      "Cache-Control": "private, no-store",
    },
  });
}

export const GET = observed("/audit/checkpoints/[id]", handleGet);
