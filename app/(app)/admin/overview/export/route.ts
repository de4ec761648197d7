import { auditContext, getViewer, hasRole } from "@/lib/auth/viewer";
import { apiError } from "@/lib/http/responses";
import { csvResponse } from "@/lib/reports/csv";
import { organisationOverviewCsv } from "@/lib/reports/overview";

export const dynamic = "force-dynamic";

/** The overview's tables as one CSV: courses, departments, agreements and the 12-month trend. */
export async function GET() {
  const viewer = await getViewer();
  if (!viewer) return apiError(401, "unauthenticated", "Sign in to export the compliance overview.");
  if (viewer.mfaRequired && !viewer.mfaEnabled) return apiError(403, "mfa_required", "Turn on two-factor authentication first.");
  if (!hasRole(viewer, "compliance_admin", "auditor")) return apiError(403, "forbidden", "Only compliance admins and auditors can export the compliance overview.");
  const { csv, filename } = await organisationOverviewCsv(viewer, await auditContext(viewer));
  return csvResponse(csv, filename);
}
