import { routeViewer } from "@/lib/auth/gate";
import { auditContext } from "@/lib/auth/viewer";
import { MAX_IMPORT_ZIP_BYTES, importContentZip } from "@/lib/content/transfer";
import { getDb } from "@/db/client";
import { DomainError } from "@/lib/errors";
import { readBodyBytes } from "@/lib/http/api";
import { observed } from "@/lib/http/observe";
import { apiError } from "@/lib/http/responses";
import { isSameOrigin } from "@/lib/http/same-origin";

export const dynamic = "force-dynamic";

/**
 * Imports a ZIP of courses and agreements laid out like content/ (the request
 * body is the file). Every item is checked as `npm run content:check` would;
 * if all pass, each becomes a draft to review and publish, otherwise nothing
 * is written and the answer lists every problem by file.
 */
async function handlePost(request: Request) {
  const auth = await routeViewer("route:/admin/content/import", { forbidden: "Only compliance admins can import content." });
  if (!auth.ok) return auth.response;
  if (!isSameOrigin(request)) return apiError(403, "cross_origin", "Upload the file from the content page.");
  const body = await readBodyBytes(request, MAX_IMPORT_ZIP_BYTES, {
    status: 413,
    body: { error: { code: "too_large", message: `The file is larger than ${MAX_IMPORT_ZIP_BYTES / 1_000_000} MB.` } },
  });
  if (!body.ok) return Response.json(body.reply.body, { status: body.reply.status, headers: { Connection: "close" } });
  try {
    const result = await importContentZip(await getDb(), auth.viewer, await auditContext(auth.viewer), Buffer.from(body.bytes));
    if (!result.ok)
      return Response.json(
        { error: { code: "content_invalid", message: "Nothing was imported: fix these problems and try again.", problems: result.problems } },
        { status: 422, headers: { "Cache-Control": "no-store" } },
      );
    return Response.json({ drafts: result.drafts }, { status: 201, headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    if (error instanceof DomainError) return apiError(error.status ?? 400, error.code, error.message);
    throw error;
  }
}

export const POST = observed("/admin/content/import", handlePost);
