import { after } from "next/server";
import { z } from "zod";

import { routeViewer } from "@/lib/auth/gate";
import { DomainError } from "@/lib/errors";
import { readBodyBytes } from "@/lib/http/api";
import { observed } from "@/lib/http/observe";
import { apiError } from "@/lib/http/responses";
import { isSameOrigin } from "@/lib/http/same-origin";
import { createImportJob, runImportJobs } from "@/lib/people/import-jobs";
import { IMPORT_JOB_MAX_BYTES, jobSizeError } from "@/lib/people/import-rules";

export const dynamic = "force-dynamic";

const query = z.object({ name: z.string().trim().min(1).max(200).default("people.csv") });

/**
 * The people import's upload: the CSV file as the request body (not a form,
 * so a whole organisation's file is read as it arrives and refused past
 * 50 MB), stored as an import job and validated in the background. Answers
 * `{ id }` of the job, whose page shows the preview.
 */
async function handlePost(request: Request) {
  const auth = await routeViewer("route:/admin/people/import/upload", {
    forbidden: "Only compliance admins can import people.",
  });
  if (!auth.ok) return auth.response;
  if (!isSameOrigin(request)) return apiError(403, "cross_origin", "Upload the file from the import page.");
  const params = query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!params.success) return apiError(400, "invalid_name", "The file name is missing or too long.");
  const body = await readBodyBytes(request, IMPORT_JOB_MAX_BYTES, {
    status: 413,
    body: { error: { code: "too_large", message: jobSizeError(IMPORT_JOB_MAX_BYTES + 1) } },
  });
  if (!body.ok) return Response.json(body.reply.body, { status: body.reply.status, headers: { Connection: "close" } });
  try {
    const job = await createImportJob(auth.viewer, { name: params.data.name, bytes: body.bytes });
    after(() => runImportJobs().then(() => undefined));
    return Response.json(job, { status: 201, headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    if (error instanceof DomainError) return apiError(error.status ?? 400, error.code, error.message);
    throw error;
  }
}

export const POST = observed("/admin/people/import/upload", handlePost);
