import type { Metadata } from "next";
import Link from "next/link";

import { Badge } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { Card, PageHeader } from "@/components/ui/card";
import { inputClass } from "@/components/ui/field";
import { Table } from "@/components/ui/table";
import { listDataEvents } from "@/lib/access/data-events";
import { reasonInWords } from "@/lib/access/describe";
import { accessRole } from "@/lib/access/facts";
import { requireViewer } from "@/lib/auth/gate";
import { formatDateTime } from "@/lib/format";

import { filterQuery, MAX_EXPORT_ROWS, parseDataEventFilters, personIdFor } from "./filters";

export const metadata: Metadata = { title: "Data-operation events" };

const PAGE_SIZE = 50;

export default async function DataEventsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const viewer = await requireViewer("page:/audit/data-events");
  const filters = parseDataEventFilters(await searchParams);
  const personId = await personIdFor(filters.person);
  const unknownPerson = Boolean(filters.person) && !personId;
  // An unknown person matches nothing; the query still runs for the uncleared total.
  const result = await listDataEvents(viewer, {
    uncleared: filters.uncleared,
    personId: personId ?? undefined,
    before: filters.before,
    limit: unknownPerson ? 1 : PAGE_SIZE,
  });
  const rows = unknownPerson ? [] : result.rows;
  const nextBefore = unknownPerson ? null : result.nextBefore;
  const { unclearedTotal } = result;
  const exportHref = `/audit/data-events/export${filterQuery({ uncleared: filters.uncleared, person: filters.person })}`;
  const pill = (active: boolean) =>
    `rounded-full px-3 py-1 font-medium ${active ? "bg-brand-50 text-brand-800 ring-1 ring-brand-100" : "text-slate-600 hover:bg-slate-100"}`;

  return (
    <>
      <PageHeader
        title="Data-operation events"
        description="Operations that other systems reported through the API, each checked against the person's clearance when it happened. An uncleared event means the person did not hold the role then (or their account was not active)."
        actions={
          <a href={exportHref} className={buttonClass("secondary")}>
            Download CSV
          </a>
        }
      />
      {unclearedTotal > 0 && !filters.uncleared && (
        <div
          className="mb-6 flex flex-wrap items-center justify-between gap-3 rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-900"
          role="status"
        >
          <p>
            <span className="font-semibold">
              {unclearedTotal.toLocaleString("en")} uncleared {unclearedTotal === 1 ? "event" : "events"}
            </span>{" "}
            in total: operations by people who were not cleared for them.
          </p>
          <Link
            href={`/audit/data-events${filterQuery({ uncleared: true, person: filters.person })}`}
            className={buttonClass("danger")}
          >
            Show uncleared only
          </Link>
        </div>
      )}
      <Card>
        <div className="mb-4 flex flex-wrap items-end justify-between gap-4">
          <nav aria-label="Filter by clearance" className="flex flex-wrap gap-2 text-sm">
            <Link
              href={`/audit/data-events${filterQuery({ person: filters.person })}`}
              aria-current={!filters.uncleared ? "page" : undefined}
              className={pill(!filters.uncleared)}
            >
              All events
            </Link>
            <Link
              href={`/audit/data-events${filterQuery({ uncleared: true, person: filters.person })}`}
              aria-current={filters.uncleared ? "page" : undefined}
              className={pill(filters.uncleared)}
            >
              Uncleared only{" "}
              <span className="ml-1 rounded-full bg-red-100 px-1.5 text-xs text-red-800">
                {unclearedTotal.toLocaleString("en")}
              </span>
            </Link>
          </nav>
          <form action="/audit/data-events" className="flex flex-wrap items-end gap-2">
            {filters.uncleared && <input type="hidden" name="uncleared" value="1" />}
            <div>
              <label htmlFor="data-events-person" className="block text-xs font-medium text-slate-700">
                Person&apos;s email
              </label>
              <input
                id="data-events-person"
                name="person"
                type="search"
                defaultValue={filters.person}
                placeholder="ana.silva@brightline.example"
                className={`mt-1 ${inputClass} w-80`}
              />
            </div>
            <button className={buttonClass("secondary", "py-2")}>Filter</button>
            {filters.person && (
              <Link
                href={`/audit/data-events${filterQuery({ uncleared: filters.uncleared })}`}
                className="px-2 py-2 text-sm text-slate-600 underline"
              >
                Show everyone
              </Link>
            )}
          </form>
        </div>
        <Table
          caption="Data-operation events, newest first"
          hideCaption
          striped
          columns={[
            {
              header: "Occurred",
              className: "whitespace-nowrap text-slate-600",
              cell: (e) => (
                <>
                  {formatDateTime(e.occurredAt)}
                  <span className="block font-mono text-xs text-slate-500">#{e.id}</span>
                </>
              ),
            },
            {
              header: "Person",
              cell: (e) => (
                <>
                  <Link
                    href={`/audit/data-events${filterQuery({ uncleared: filters.uncleared, person: e.email })}`}
                    className="font-medium text-slate-900 hover:underline"
                  >
                    {e.name}
                  </Link>
                  <span className="block text-xs text-slate-500">
                    {e.email}
                    {e.department && ` · ${e.department}`}
                  </span>
                </>
              ),
            },
            {
              header: "Operation",
              cell: (e) => (
                <>
                  <span className="font-medium text-slate-800">{e.action}</span>
                  <span className="block text-xs break-all text-slate-500">{e.resource}</span>
                </>
              ),
            },
            {
              header: "Role",
              className: "text-slate-700",
              cell: (e) =>
                e.roleId ? (accessRole(e.roleId)?.name ?? e.roleId) : <span className="text-slate-500">—</span>,
            },
            {
              header: "Clearance",
              cell: (e) =>
                e.cleared ? (
                  <Badge tone="success">Cleared</Badge>
                ) : (
                  <>
                    <Badge tone="danger">Not cleared</Badge>
                    <ul className="mt-1 list-disc space-y-0.5 pl-4 text-xs text-red-900">
                      {e.reasons.map((r) => (
                        <li key={r}>{reasonInWords(r)}</li>
                      ))}
                    </ul>
                  </>
                ),
            },
          ]}
          rows={rows}
          rowKey={(e) => e.id}
          rowAttributes={(e) => ({ tone: e.cleared ? undefined : "danger" })}
          empty={
            unknownPerson
              ? "No one has that email address"
              : filters.uncleared
                ? "No uncleared events"
                : "No events reported yet"
          }
          emptyDetail={
            unknownPerson ? (
              <>Enter a person&apos;s full email address, e.g. ana.silva@brightline.example.</>
            ) : filters.uncleared ? (
              "Every reported operation was done by someone cleared for it."
            ) : (
              "Systems report data operations with POST /api/v1/events (scope events:write)."
            )
          }
        />
        <div className="mt-4 flex flex-wrap justify-between gap-3 text-sm">
          <p className="flex gap-3">
            {filters.before && (
              <Link
                className="underline"
                href={`/audit/data-events${filterQuery({ uncleared: filters.uncleared, person: filters.person })}`}
              >
                Newest events
              </Link>
            )}
            {nextBefore && (
              <Link
                className="underline"
                href={`/audit/data-events${filterQuery({ uncleared: filters.uncleared, person: filters.person, before: nextBefore })}`}
              >
                Older events
              </Link>
            )}
          </p>
          <p className="text-xs text-slate-500">
            The CSV holds every matching event (up to {MAX_EXPORT_ROWS.toLocaleString("en")}, newest first), with
            reasons in words and as codes.
          </p>
        </div>
      </Card>
    </>
  );
}
