import { auditContext, getViewer, hasRole } from "@/lib/auth/viewer";
import { apiError } from "@/lib/http/responses";
import { csvResponse } from "@/lib/reports/csv";
import { teamMatrixCsv } from "@/lib/reports/team-matrix";
import { parseTeamFilters } from "@/lib/reports/team-view";

export const dynamic = "force-dynamic";

/** The team matrix as CSV: the same filters as /team, every page. */
export async function GET(request: Request) {
  const viewer = await getViewer();
  if (!viewer) return apiError(401, "unauthenticated", "Sign in to export your team's records.");
  if (viewer.mfaRequired && !viewer.mfaEnabled) return apiError(403, "mfa_required", "Turn on two-factor authentication first.");
  if (!hasRole(viewer, "manager")) return apiError(403, "forbidden", "Only managers can export team records.");
  const filters = parseTeamFilters(new URL(request.url).searchParams);
  const { csv, filename } = await teamMatrixCsv(viewer, await auditContext(viewer), filters);
  return csvResponse(csv, filename);
}
