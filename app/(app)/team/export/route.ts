import { routeViewer } from "@/lib/auth/gate";
import { auditContext } from "@/lib/auth/viewer";
import { observed } from "@/lib/http/observe";
import { csvResponse } from "@/lib/reports/csv";
import { teamMatrixCsv } from "@/lib/team/matrix";
import { parseTeamFilters } from "@/lib/team/view";

export const dynamic = "force-dynamic";

/** The team matrix as CSV: the same filters as /team, every page. */
async function handleGet(request: Request) {
  const auth = await routeViewer("download:/team/export", {
    signedOut: "Sign in to export your team's records.",
    forbidden: "Only managers can export team records.",
  });
  if (!auth.ok) return auth.response;
  const { viewer } = auth;
  const filters = parseTeamFilters(new URL(request.url).searchParams);
  const { csv, filename } = await teamMatrixCsv(viewer, await auditContext(viewer), filters);
  return csvResponse(csv, filename);
}

export const GET = observed("/team/export", handleGet);
