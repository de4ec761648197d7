import type { Metadata } from "next";

import { buttonClass } from "@/components/ui/button";
import { Card, PageHeader } from "@/components/ui/card";
import { inputClass } from "@/components/ui/field";
import { Table } from "@/components/ui/table";
import { getDb } from "@/db/client";
import { departments } from "@/db/schema";
import { requireViewer } from "@/lib/auth/gate";
import { exceptionKinds, findExceptions, type ExceptionKind } from "@/lib/evidence/exceptions";
import { exceptionPeriod, exceptionQuery, parseExceptionFilters } from "@/lib/evidence/exceptions-filters.rules";
import { formatDate, formatDateTime } from "@/lib/format";

export const metadata: Metadata = { title: "Exceptions" };

/** Findings shown on the page per kind; the CSV holds every one. */
const SHOWN = 100;

export default async function ExceptionsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireViewer("page:/audit/exceptions");
  const filters = parseExceptionFilters(await searchParams);
  const db = await getDb();
  const [found, departmentList] = await Promise.all([
    findExceptions(db, {
      ...exceptionPeriod(filters),
      departmentId: filters.department,
      overdueDays: filters.overdueDays,
    }),
    db.select({ id: departments.id, name: departments.name }).from(departments).orderBy(departments.name),
  ]);
  const kinds = Object.entries(exceptionKinds) as [ExceptionKind, (typeof exceptionKinds)[ExceptionKind]][];
  const period = exceptionPeriod(filters);
  return (
    <>
      <PageHeader
        title="Exceptions"
        description={`What an auditor samples for, from ${formatDate(period.from)} to ${formatDate(new Date(period.to.getTime() - 1))}: each finding is read from the records and the audit log as they were at the time.`}
        actions={
          <a href={`/audit/exceptions/export${exceptionQuery(filters)}`} className={buttonClass("secondary")}>
            Download CSV
          </a>
        }
      />
      <Card>
        <form
          action="/audit/exceptions"
          className="grid gap-3 sm:grid-cols-2 lg:grid-cols-5"
          aria-label="Report period"
        >
          <div className="flex flex-col gap-1">
            <label htmlFor="exceptions-from" className="text-xs font-medium text-slate-700">
              From (UTC)
            </label>
            <input id="exceptions-from" type="date" name="from" defaultValue={filters.from} className={inputClass} />
          </div>
          <div className="flex flex-col gap-1">
            <label htmlFor="exceptions-to" className="text-xs font-medium text-slate-700">
              To (UTC)
            </label>
            <input id="exceptions-to" type="date" name="to" defaultValue={filters.to} className={inputClass} />
          </div>
          <div className="flex flex-col gap-1">
            <label htmlFor="exceptions-department" className="text-xs font-medium text-slate-700">
              Department
            </label>
            <select
              id="exceptions-department"
              name="department"
              defaultValue={filters.department ?? ""}
              className={inputClass}
            >
              <option value="">Whole organisation</option>
              {departmentList.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
          </div>
          <div className="flex flex-col gap-1">
            <label htmlFor="exceptions-overdue" className="text-xs font-medium text-slate-700">
              Overdue after (days)
            </label>
            <input
              id="exceptions-overdue"
              type="number"
              min={0}
              max={3650}
              name="overdueDays"
              defaultValue={filters.overdueDays}
              className={inputClass}
            />
          </div>
          <div className="flex items-end">
            <button type="submit" className={buttonClass("primary")}>
              Show
            </button>
          </div>
        </form>
      </Card>
      <Card title="Summary">
        <ul className="divide-y divide-slate-200 text-sm">
          {kinds.map(([kind, { title }]) => {
            const count = found.filter((e) => e.kind === kind).length;
            return (
              <li key={kind} className="flex items-center justify-between py-2">
                <a href={`#${kind}`} className="underline">
                  {title}
                </a>
                <span className={count > 0 ? "font-semibold text-red-800" : "text-slate-600"}>
                  {count === 0 ? "None" : count.toLocaleString("en")}
                </span>
              </li>
            );
          })}
        </ul>
      </Card>
      {kinds.map(([kind, { title, definition }]) => {
        const rows = found.filter((e) => e.kind === kind);
        return (
          <section key={kind} id={kind} aria-labelledby={`${kind}-title`} className="mt-6">
            <Card>
              <h2 id={`${kind}-title`} className="text-base font-semibold text-slate-900">
                {title}
              </h2>
              <p className="mt-1 mb-3 text-sm text-slate-600">{definition}</p>
              <Table
                caption={title}
                hideCaption
                columns={[
                  { header: "When (UTC)", className: "whitespace-nowrap", cell: (e) => formatDateTime(e.at) },
                  {
                    header: "Person",
                    cell: (e) => (
                      <>
                        <a className="underline" href={`/admin/people/${e.personId}`}>
                          {e.name}
                        </a>
                        <span className="block text-xs text-slate-500">{e.email}</span>
                      </>
                    ),
                  },
                  { header: "Concerns", cell: (e) => e.subject },
                  { header: "What was wrong", cell: (e) => e.detail },
                  { header: "Record", className: "font-mono text-xs text-slate-500", cell: (e) => e.reference },
                ]}
                rows={rows.slice(0, SHOWN)}
                rowKey={(e) => `${e.reference}-${e.kind}`}
                empty="None in this period."
              />
              {rows.length > SHOWN && (
                <p className="mt-2 text-sm text-slate-600">
                  Showing {SHOWN} of {rows.length.toLocaleString("en")}; the CSV has every one.
                </p>
              )}
            </Card>
          </section>
        );
      })}
    </>
  );
}
