import { getDb } from "@/db/client";
import { recordAudit } from "@/lib/audit/record";
import { routeViewer } from "@/lib/auth/gate";
import { auditContext } from "@/lib/auth/viewer";
import { findExceptions } from "@/lib/evidence/exceptions";
import { exceptionRows } from "@/lib/evidence/exceptions-csv";
import { exceptionPeriod, parseExceptionFilters } from "@/lib/evidence/exceptions-filters.rules";
import { observed } from "@/lib/http/observe";
import { csvResponse, toCsv } from "@/lib/reports/csv";

export const dynamic = "force-dynamic";

/** Every exception of the period and scope as CSV, with each kind's title and definition. */
async function handleGet(request: Request) {
  const auth = await routeViewer("download:/audit/exceptions/export", {
    signedOut: "Sign in to export exceptions.",
    forbidden: "Only auditors and compliance admins can export exceptions.",
  });
  if (!auth.ok) return auth.response;
  const filters = parseExceptionFilters(new URL(request.url).searchParams);
  const db = await getDb();
  const found = await findExceptions(db, {
    ...exceptionPeriod(filters),
    departmentId: filters.department,
    overdueDays: filters.overdueDays,
  });
  const csv = toCsv(exceptionRows(found));
  await recordAudit(db, await auditContext(auth.viewer), {
    action: "exceptions.exported",
    data: { ...filters, rows: found.length },
  });
  return csvResponse(csv, `exceptions-${filters.from}-to-${filters.to}.csv`);
}

export const GET = observed("/audit/exceptions/export", handleGet);
