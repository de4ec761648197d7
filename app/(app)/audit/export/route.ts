import { getDb } from "@/db/client";
import { parseAuditFilters, withoutPaging } from "@/lib/audit/explore.rules";
import { auditExportStream } from "@/lib/audit/export-events";
import { recordAudit } from "@/lib/audit/record";
import { routeViewer } from "@/lib/auth/gate";
import { auditContext } from "@/lib/auth/viewer";
import { isoDate } from "@/lib/format";
import { apiErrorReply, toResponse } from "@/lib/http/api";
import { observed } from "@/lib/http/observe";

export const dynamic = "force-dynamic";

/** The audit log as the explorer filters it, as CSV or JSON, streamed: every matching event, newest first. */
async function handleGet(request: Request) {
  const auth = await routeViewer("download:/audit/export", {
    signedOut: "Sign in to export the audit log.",
    forbidden: "Only auditors and compliance admins can export the audit log.",
  });
  if (!auth.ok) return auth.response;
  const { viewer } = auth;
  const params = new URL(request.url).searchParams;
  const format = params.get("format") ?? "csv";
  if (format !== "csv" && format !== "json")
    return toResponse(apiErrorReply(400, "invalid_format", "The format must be csv or json."));
  const filters = withoutPaging(parseAuditFilters(params));
  const now = new Date();
  // An export of the log is itself in the log, with the filters it used.
  await recordAudit(await getDb(), await auditContext(viewer), {
    action: "audit.exported",
    data: { format, filters },
  });
  const name = `audit-log-${isoDate(now)}.${format}`;
  return new Response(auditExportStream(filters, format, { exportedAt: now, exportedBy: viewer.email }), {
    headers: {
      "Content-Type": format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}"`,
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}

export const GET = observed("/audit/export", handleGet);
