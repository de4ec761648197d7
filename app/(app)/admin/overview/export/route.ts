import { routeViewer } from "@/lib/auth/gate";
import { auditContext } from "@/lib/auth/viewer";
import { observed } from "@/lib/http/observe";
import { csvResponse } from "@/lib/reports/csv";
import { organisationOverviewCsv } from "@/lib/reports/overview";

export const dynamic = "force-dynamic";

/** The overview's tables as one CSV: courses, departments, agreements and the 12-month trend. */
async function handleGet() {
  const auth = await routeViewer("download:/admin/overview/export", {
    signedOut: "Sign in to export the compliance overview.",
    forbidden: "Only compliance admins and auditors can export the compliance overview.",
  });
  if (!auth.ok) return auth.response;
  const { viewer } = auth;
  const { csv, filename } = await organisationOverviewCsv(viewer, await auditContext(viewer));
  return csvResponse(csv, filename);
}

export const GET = observed("/admin/overview/export", handleGet);
