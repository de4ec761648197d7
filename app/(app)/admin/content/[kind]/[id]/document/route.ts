import { getDb } from "@/db/client";
import { routeViewer } from "@/lib/auth/gate";
import { attachDocument } from "@/lib/content/authoring";
import { itemRefSchema } from "@/lib/content/item-ref";
import { MAX_POLICY_PDF_BYTES } from "@/lib/content/load";
import { DomainError } from "@/lib/errors";
import { readBodyBytes } from "@/lib/http/api";
import { observed } from "@/lib/http/observe";
import { apiError } from "@/lib/http/responses";
import { isSameOrigin } from "@/lib/http/same-origin";

export const dynamic = "force-dynamic";

/** Attaches a policy PDF (the request body) to an agreement's open draft, replacing any attached before. */
async function handlePost(request: Request, { params }: { params: Promise<{ kind: string; id: string }> }) {
  const auth = await routeViewer("route:/admin/content/[kind]/[id]/document", { forbidden: "Only compliance admins can change content." });
  if (!auth.ok) return auth.response;
  if (!isSameOrigin(request)) return apiError(403, "cross_origin", "Upload the PDF from the draft page.");
  const ref = itemRefSchema.safeParse(await params);
  if (!ref.success) return apiError(404, "not_found", "No such item.");
  const body = await readBodyBytes(request, MAX_POLICY_PDF_BYTES, {
    status: 413,
    body: { error: { code: "too_large", message: `The PDF is larger than ${MAX_POLICY_PDF_BYTES / 1_000_000} MB.` } },
  });
  if (!body.ok) return Response.json(body.reply.body, { status: body.reply.status, headers: { Connection: "close" } });
  try {
    const { sha256 } = await attachDocument(await getDb(), auth.viewer, ref.data, Buffer.from(body.bytes));
    return Response.json({ sha256 }, { status: 201, headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    if (error instanceof DomainError) return apiError(error.status ?? 400, error.code, error.message);
    throw error;
  }
}

export const POST = observed("/admin/content/[kind]/[id]/document", handlePost);
