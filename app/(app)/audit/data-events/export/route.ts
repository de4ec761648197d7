import { getDb } from "@/db/client";
import { listDataEvents, type DataEventRow } from "@/lib/access/data-events";
import { reasonInWords } from "@/lib/access/describe";
import { accessRole } from "@/lib/access/facts";
import { recordAudit } from "@/lib/audit/record";
import { routeViewer } from "@/lib/auth/gate";
import { auditContext } from "@/lib/auth/viewer";
import { isoDate } from "@/lib/format";
import { observed } from "@/lib/http/observe";
import { csvResponse, toCsv } from "@/lib/reports/csv";

import { MAX_EXPORT_ROWS, parseDataEventFilters, personIdFor } from "../filters";

export const dynamic = "force-dynamic";

const PAGE = 5_000;

/** The data-operation events as CSV: the same filters as /audit/data-events, every page, newest first. */
async function handleGet(request: Request) {
  const auth = await routeViewer("download:/audit/data-events/export", {
    signedOut: "Sign in to export data-operation events.",
    forbidden: "Only auditors and compliance admins can export data-operation events.",
  });
  if (!auth.ok) return auth.response;
  const { viewer } = auth;

  const filters = parseDataEventFilters(new URL(request.url).searchParams);
  const personId = await personIdFor(filters.person);
  const rows: DataEventRow[] = [];
  if (!filters.person || personId) {
    let before = filters.before;
    do {
      const page = await listDataEvents(viewer, {
        uncleared: filters.uncleared,
        personId: personId ?? undefined,
        before,
        limit: Math.min(PAGE, MAX_EXPORT_ROWS - rows.length),
      });
      rows.push(...page.rows);
      before = page.nextBefore ?? undefined;
    } while (before && rows.length < MAX_EXPORT_ROWS);
  }

  const csv = toCsv([
    [
      "Event id",
      "Occurred (UTC)",
      "Name",
      "Email",
      "Department",
      "Action",
      "Resource",
      "Role",
      "Cleared",
      "Reasons",
      "Reason codes",
    ],
    ...rows.map((e) => [
      e.id,
      e.occurredAt.toISOString(),
      e.name,
      e.email,
      e.department,
      e.action,
      e.resource,
      e.roleId ? (accessRole(e.roleId)?.name ?? e.roleId) : "",
      e.cleared ? "yes" : "no",
      e.reasons.map((r) => reasonInWords(r)).join("; "),
      e.reasons.join(" "),
    ]),
  ]);
  // An export of personal data is itself an auditable event.
  await recordAudit(await getDb(), await auditContext(viewer), {
    action: "data_events.exported",
    data: { uncleared: filters.uncleared, personId, rows: rows.length },
  });
  return csvResponse(csv, `data-events-${isoDate(new Date())}${filters.uncleared ? "-uncleared" : ""}.csv`);
}

export const GET = observed("/audit/data-events/export", handleGet);
