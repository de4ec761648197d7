import type { Metadata } from "next";
import Link from "next/link";

import { NudgeButton } from "@/components/team/nudge-button";
import { buttonClass } from "@/components/ui/button";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { inputClass } from "@/components/ui/field";
import { Pagination } from "@/components/ui/pagination";
import { Stat } from "@/components/ui/stat";
import { requireViewer } from "@/lib/auth/gate";
import { percentText } from "@/lib/reports/figures";
import { teamMatrix } from "@/lib/team/matrix";
import { filterableStatuses, itemKey, STATUS_LABELS } from "@/lib/team/matrix.rules";
import {
  filterQuery,
  hasActiveFilters,
  parseTeamFilters,
  SORT_LABELS,
  tableOf,
  TEAM_PAGE_SIZE,
  teamSorts,
} from "@/lib/team/view";

import { TeamTable } from "./team-table";

export const metadata: Metadata = { title: "Team" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const selectClass = `${inputClass} pr-8`;

export default async function TeamPage({ searchParams }: Props) {
  const viewer = await requireViewer("page:/team");
  const now = new Date();
  const view = await teamMatrix(viewer, parseTeamFilters(await searchParams), now);
  const { filters, summary, rows } = view;
  const filtered = hasActiveFilters(filters);
  const exportQuery = new URLSearchParams(filterQuery(filters, { page: 1 })).toString();
  const first = (view.page - 1) * TEAM_PAGE_SIZE + 1;
  const last = first + rows.length - 1;
  const caption = `Training status of ${view.matching.length.toLocaleString("en")} ${view.matching.length === 1 ? "person" : "people"}${filtered ? " matching the filters" : ""}, page ${view.page} of ${view.pageCount}. Select a name or a status for the person’s record.`;

  return (
    <>
      <PageHeader
        title="Team"
        description="Everyone who reports to you, directly or through other managers, and what each of them must complete."
        actions={
          view.teamSize > 0 && (
            <div className="flex flex-wrap items-start gap-3">
              {summary.overduePeople > 0 && (
                <NudgeButton
                  target="overdue"
                  size="normal"
                  fields={filterQuery(filters, { page: 1 })}
                  label="Nudge all overdue"
                  accessibleLabel={`Nudge all overdue: ${summary.overduePeople} ${summary.overduePeople === 1 ? "person" : "people"}`}
                />
              )}
              <a
                href={`/team/export${exportQuery ? `?${exportQuery}` : ""}`}
                className={buttonClass("secondary")}
                download
              >
                Download CSV
              </a>
            </div>
          )
        }
      />

      {view.teamSize === 0 ? (
        <EmptyState title="No one reports to you yet">
          When people are added with you as their manager, their training appears here.
        </EmptyState>
      ) : (
        <>
          <section aria-labelledby="team-summary" className="mb-6">
            <h2 id="team-summary" className="sr-only">
              Summary{filtered ? " of the people matching the filters" : ""}
            </h2>
            <dl className="grid grid-cols-2 gap-4 lg:grid-cols-5">
              <Stat label={filtered ? "People matching" : "People"} value={summary.people.toLocaleString("en")} />
              <Stat
                figure="overdueItems"
                value={summary.overdueItems.toLocaleString("en")}
                note={`${summary.overduePeople} ${summary.overduePeople === 1 ? "person" : "people"}`}
                tone={summary.overdueItems > 0 ? "danger" : undefined}
              />
              <Stat
                figure="expiringSoon"
                value={summary.expiringItems.toLocaleString("en")}
                tone={summary.expiringItems > 0 ? "warning" : undefined}
              />
              <Stat
                figure="trainingCompliance"
                value={percentText(summary.training.rate)}
                note={`${summary.training.complete.toLocaleString("en")} of ${summary.training.required.toLocaleString("en")} required courses certified`}
              />
              <Stat
                figure="agreementsSigned"
                value={percentText(summary.agreements.rate)}
                note={`${summary.agreements.complete.toLocaleString("en")} of ${summary.agreements.required.toLocaleString("en")} signatures in place`}
              />
            </dl>
          </section>

          <Card>
            <form
              action="/team"
              aria-label="Filter the team"
              className="mb-5 grid gap-3 sm:grid-cols-2 lg:grid-cols-6 lg:items-end"
            >
              <div className="lg:col-span-2">
                <label htmlFor="team-q" className="block text-sm font-medium text-slate-800">
                  Search
                </label>
                <input
                  id="team-q"
                  type="search"
                  name="q"
                  defaultValue={filters.q}
                  placeholder="Name or email"
                  className={`mt-1 ${inputClass}`}
                />
              </div>
              <FilterSelect
                id="team-department"
                name="department"
                label="Department"
                value={filters.department}
                options={view.departments.map((d) => [d.id, d.name])}
                all="All"
              />
              <FilterSelect
                id="team-status"
                name="status"
                label="Status"
                value={filters.status}
                options={filterableStatuses.map((s) => [s, STATUS_LABELS[s]])}
                all="Any"
              />
              <FilterSelect
                id="team-item"
                name="item"
                label="Item"
                value={filters.item}
                options={view.items.map((i) => [itemKey(i), i.title])}
                all="All"
              />
              <FilterSelect
                id="team-sort"
                name="sort"
                label="Sort by"
                value={filters.sort}
                options={teamSorts.map((s) => [s, SORT_LABELS[s]])}
              />
              <div className="flex items-center gap-3 sm:col-span-2 lg:col-span-6">
                <button type="submit" className={buttonClass("primary")}>
                  Apply filters
                </button>
                {(filtered || filters.sort !== "name") && (
                  <Link href="/team" className="text-sm font-medium text-brand-700 underline underline-offset-2">
                    Clear filters
                  </Link>
                )}
              </div>
            </form>

            <TeamTable
              {...tableOf(view, now)}
              caption={caption}
              sort={filters.sort}
              sortQueries={{
                name: filterQuery(filters, { sort: "name", page: 1 }),
                department: filterQuery(filters, { sort: "department", page: 1 }),
              }}
              empty="No reports match these filters"
              emptyDetail={
                <Link href="/team" className="text-brand-700 underline underline-offset-2">
                  Show the whole team
                </Link>
              }
            />

            {view.matching.length > 0 && (
              <Pagination
                page={view.page}
                pageCount={view.pageCount}
                summary={`Showing ${first.toLocaleString("en")}–${last.toLocaleString("en")} of ${view.matching.length.toLocaleString("en")}`}
                queryFor={(page) => filterQuery(filters, { page })}
              />
            )}
          </Card>
        </>
      )}
    </>
  );
}

function FilterSelect({
  id,
  name,
  label,
  value,
  options,
  all,
}: {
  id: string;
  name: string;
  label: string;
  value?: string;
  options: [string, string][];
  all?: string;
}) {
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <select id={id} name={name} defaultValue={value ?? ""} className={`mt-1 ${selectClass}`}>
        {all && <option value="">{all}</option>}
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}
