import { routeViewer } from "@/lib/auth/gate";
import { NotFoundError } from "@/lib/errors";
import { observed } from "@/lib/http/observe";
import { apiError } from "@/lib/http/responses";
import { importJobProblemsCsv } from "@/lib/people/import-jobs";
import { csvResponse } from "@/lib/reports/csv";

export const dynamic = "force-dynamic";

/** Every problem row of an uploaded file as CSV: row, column, value, message. */
async function handleGet(_request: Request, { params }: { params: Promise<{ jobId: string }> }) {
  const auth = await routeViewer("download:/admin/people/import/[jobId]/problems", {
    forbidden: "Only compliance admins can see imports.",
  });
  if (!auth.ok) return auth.response;
  try {
    const { fileName, csv } = await importJobProblemsCsv(auth.viewer, (await params).jobId);
    return csvResponse(csv, `problems-${fileName.replace(/\.csv$/i, "")}.csv`);
  } catch (error) {
    if (error instanceof NotFoundError) return apiError(404, "not_found", error.message);
    throw error;
  }
}

export const GET = observed("/admin/people/import/[jobId]/problems", handleGet);
