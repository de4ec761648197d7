import { getDb } from "@/db/client";
import { routeViewer } from "@/lib/auth/gate";
import type { Viewer } from "@/lib/auth/roles";
import { attachImage, removeImage } from "@/lib/content/authoring";
import { type ItemRef } from "@/lib/content/item-files";
import { IMAGE_NAME, MAX_LESSON_IMAGE_BYTES } from "@/lib/content/images";
import { itemRefSchema } from "@/lib/content/item-ref";
import { DomainError } from "@/lib/errors";
import { readBodyBytes } from "@/lib/http/api";
import { observed } from "@/lib/http/observe";
import { apiError } from "@/lib/http/responses";
import { isSameOrigin } from "@/lib/http/same-origin";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ kind: string; id: string }> };

/** Who is asking, from where, about which course and image: a reply when the request cannot go on. */
async function target(request: Request, { params }: Params): Promise<{ reply: Response } | { viewer: Viewer; ref: ItemRef; name: string }> {
  const auth = await routeViewer("route:/admin/content/[kind]/[id]/images", { forbidden: "Only compliance admins can change content." });
  if (!auth.ok) return { reply: auth.response };
  if (!isSameOrigin(request)) return { reply: apiError(403, "cross_origin", "Change images from the draft page.") };
  const ref = itemRefSchema.safeParse(await params);
  if (!ref.success) return { reply: apiError(404, "not_found", "No such item.") };
  const name = new URL(request.url).searchParams.get("name") ?? "";
  if (!IMAGE_NAME.test(name))
    return { reply: apiError(400, "invalid_image_name", "Name images with lower-case letters, digits and hyphens, ending .png, .jpg, .jpeg or .webp.") };
  return { viewer: auth.viewer, ref: ref.data, name };
}

function failed(error: unknown): Response {
  // Anything but an expected failure goes on to the error page.
  if (!(error instanceof DomainError)) throw error;
  return apiError(error.status, error.code, error.message);
}

/** Attaches an image (the request body) to a course's open draft as images/<name>, replacing one of that name. */
async function handlePost(request: Request, context: Params) {
  const t = await target(request, context);
  if ("reply" in t) return t.reply;
  const body = await readBodyBytes(request, MAX_LESSON_IMAGE_BYTES, {
    status: 413,
    body: { error: { code: "too_large", message: `The image is larger than ${MAX_LESSON_IMAGE_BYTES / 1_000_000} MB.` } },
  });
  if (!body.ok) return Response.json(body.reply.body, { status: body.reply.status, headers: { Connection: "close" } });
  try {
    const attached = await attachImage(await getDb(), t.viewer, t.ref, t.name, Buffer.from(body.bytes));
    return Response.json(attached, { status: 201, headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return failed(error);
  }
}

/** Removes images/<name> from a course's open draft. */
async function handleDelete(request: Request, context: Params) {
  const t = await target(request, context);
  if ("reply" in t) return t.reply;
  try {
    await removeImage(await getDb(), t.viewer, t.ref, t.name);
    return new Response(null, { status: 204, headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return failed(error);
  }
}

export const POST = observed("/admin/content/[kind]/[id]/images", handlePost);
export const DELETE = observed("/admin/content/[kind]/[id]/images", handleDelete);
