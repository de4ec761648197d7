import { getDb } from "@/db/client";
import { routeViewer } from "@/lib/auth/gate";
import { attachPackage } from "@/lib/content/authoring";
import { itemRefSchema } from "@/lib/content/item-ref";
import { DomainError } from "@/lib/errors";
import { readBodyBytes } from "@/lib/http/api";
import { observed } from "@/lib/http/observe";
import { apiError } from "@/lib/http/responses";
import { isSameOrigin } from "@/lib/http/same-origin";
import { maxPackageBytes } from "@/lib/scorm/store";

export const dynamic = "force-dynamic";

/**
 * Makes a course's open draft play a SCORM package: the ZIP is the request
 * body (read as it arrives and refused past SCORM_MAX_PACKAGE_MB, outside the
 * proxy so no part of it is buffered there). Answers the package's SHA-256,
 * version, title and SCOs.
 */
async function handlePost(request: Request, { params }: { params: Promise<{ kind: string; id: string }> }) {
  const auth = await routeViewer("route:/admin/content/[kind]/[id]/package", {
    forbidden: "Only compliance admins can change content.",
  });
  if (!auth.ok) return auth.response;
  if (!isSameOrigin(request)) return apiError(403, "cross_origin", "Upload the package from the draft page.");
  const ref = itemRefSchema.safeParse(await params);
  if (!ref.success) return apiError(404, "not_found", "No such item.");
  const limit = maxPackageBytes();
  const body = await readBodyBytes(request, limit, {
    status: 413,
    body: { error: { code: "package_too_large", message: `The package is larger than ${Math.round(limit / 1_000_000)} MB.` } },
  });
  if (!body.ok) return Response.json(body.reply.body, { status: body.reply.status, headers: { Connection: "close" } });
  try {
    const stored = await attachPackage(await getDb(), auth.viewer, ref.data, Buffer.from(body.bytes));
    return Response.json(
      {
        sha256: stored.sha256,
        version: stored.version,
        title: stored.title,
        files: stored.fileCount,
        scos: stored.manifest.launchable.map((i) => ({ id: i.identifier, title: i.title })),
      },
      { status: 201, headers: { "Cache-Control": "no-store" } },
    );
  } catch (error) {
    if (error instanceof DomainError) return apiError(error.status ?? 400, error.code, error.message);
    throw error;
  }
}

export const POST = observed("/admin/content/[kind]/[id]/package", handlePost);
