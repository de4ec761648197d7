import { verifyUploadedFile } from "@/lib/agreements/verify-document";
import { MAX_VERIFY_FORM_BYTES, UPLOAD_MESSAGES } from "@/lib/agreements/verify-limits";
import { readBodyBytes } from "@/lib/http/api";
import { observed } from "@/lib/http/observe";
import { metaFromHeaders } from "@/lib/http/request-context";

export const dynamic = "force-dynamic";

/**
 * The /verify page's PDF upload (multipart field "document"). A route rather
 * than a Server Action so that it alone takes 10 MB, read as it arrives and
 * refused past that, while every Server Action keeps the 1 MB limit.
 */
async function handlePost(request: Request) {
  const body = await readBodyBytes(request, MAX_VERIFY_FORM_BYTES, {
    status: 413,
    body: { error: UPLOAD_MESSAGES.tooLarge },
  });
  if (!body.ok) return Response.json(body.reply.body, { status: body.reply.status, headers: { Connection: "close" } });
  const form = await new Response(body.bytes, {
    headers: { "content-type": request.headers.get("content-type") ?? "" },
  })
    .formData()
    .catch(() => null);
  const state = await verifyUploadedFile(
    form?.get("document") ?? null,
    metaFromHeaders((name) => request.headers.get(name)).ip,
  );
  return Response.json(state, { headers: { "Cache-Control": "no-store" } });
}

export const POST = observed("/verify/upload", handlePost);
