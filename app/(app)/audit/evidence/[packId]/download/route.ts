import { routeViewer } from "@/lib/auth/gate";
import { auditContext } from "@/lib/auth/viewer";
import { NotFoundError } from "@/lib/errors";
import { downloadEvidencePack } from "@/lib/evidence/packs";
import { observed } from "@/lib/http/observe";
import { apiError } from "@/lib/http/responses";

export const dynamic = "force-dynamic";

/** The finished pack's ZIP, byte for byte as made (its SHA-256 is on the page); each download is audited. */
async function handleGet(_request: Request, { params }: { params: Promise<{ packId: string }> }) {
  const auth = await routeViewer("download:/audit/evidence/[packId]/download", {
    signedOut: "Sign in to download evidence packs.",
    forbidden: "Only auditors and compliance admins can download evidence packs.",
  });
  if (!auth.ok) return auth.response;
  try {
    const pack = await downloadEvidencePack(auth.viewer, await auditContext(auth.viewer), (await params).packId);
    return new Response(new Uint8Array(pack.bytes), {
      headers: {
        "Content-Type": "application/zip",
        "Content-Length": String(pack.bytes.length),
        "Content-Disposition": `attachment; filename="${pack.filename.replace(/[^A-Za-z0-9._-]/g, "_")}"`,
        "Cache-Control": "private, no-store",
      },
    });
  } catch (error) {
    if (error instanceof NotFoundError) return apiError(404, "not_found", error.message);
    throw error;
  }
}

export const GET = observed("/audit/evidence/[packId]/download", handleGet);
