import type { Metadata } from "next";

import { BarChart } from "@/components/charts/bar-chart";
import { LineChart } from "@/components/charts/line-chart";
import { buttonClass } from "@/components/ui/button";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { ProgressBar } from "@/components/ui/progress-bar";
import { Stat } from "@/components/ui/stat";
import { Table } from "@/components/ui/table";
import { requireViewer } from "@/lib/auth/gate";
import { formatDate } from "@/lib/format";
import { percent, percentText } from "@/lib/reports/figures";
import { organisationOverview } from "@/lib/reports/overview";
import type { TrendPoint } from "@/lib/reports/overview.rules";

export const metadata: Metadata = { title: "Compliance overview" };

const rateText = percentText;
const n = (value: number) => value.toLocaleString("en");

function trendDescription(trend: TrendPoint[]): string {
  const known = trend.filter((t) => t.rate !== null);
  if (known.length === 0) return "No required training existed in the last 12 months, so there is nothing to plot yet.";
  const first = known[0];
  const last = known.at(-1)!;
  const low = known.reduce((a, b) => (b.rate! < a.rate! ? b : a));
  const high = known.reduce((a, b) => (b.rate! > a.rate! ? b : a));
  return `From ${first.label} to ${last.label} (today), compliance went from ${rateText(first.rate)} to ${rateText(last.rate)}. Lowest ${rateText(low.rate)} in ${low.label}, highest ${rateText(high.rate)} in ${high.label}.${known.length < trend.length ? ` No data before ${first.label}.` : ""}`;
}

export default async function OverviewPage() {
  const viewer = await requireViewer("page:/admin/overview");
  const now = new Date();
  const o = await organisationOverview(viewer, now);
  const agreementsRequired = o.agreements.reduce((sum, a) => sum + a.required, 0);
  const agreementsSigned = o.agreements.reduce((sum, a) => sum + a.signed, 0);

  return (
    <>
      <PageHeader
        title="Compliance overview"
        description={`The whole organisation on ${formatDate(now)}: active people who have started. Departed and suspended people are not counted. A course counts as complete with a certification that is valid today.`}
        actions={
          <a href="/admin/overview/export" className={buttonClass("secondary")} download>
            Download CSV
          </a>
        }
      />

      <section aria-labelledby="overview-summary" className="mb-6">
        <h2 id="overview-summary" className="sr-only">
          Summary
        </h2>
        <dl className="grid grid-cols-2 gap-4 lg:grid-cols-5">
          <Stat
            figure="trainingCompliance"
            value={rateText(o.rate)}
            note={`${n(o.complete)} of ${n(o.required)} required courses certified`}
          />
          <Stat figure="peopleCounted" value={n(o.people)} />
          <Stat
            figure="overdueTraining"
            value={n(o.overdue)}
            note={`${n(o.overduePeople)} ${o.overduePeople === 1 ? "person" : "people"}`}
            tone={o.overdue > 0 ? "danger" : undefined}
          />
          <Stat
            figure="expiringSoon"
            value={n(o.expiring[30])}
            note={`${n(o.expiring[60])} within 60, ${n(o.expiring[90])} within 90`}
            tone={o.expiring[30] > 0 ? "warning" : undefined}
          />
          <Stat
            figure="agreementsSigned"
            value={rateText(percent(agreementsSigned, agreementsRequired))}
            note={`${n(agreementsSigned)} of ${n(agreementsRequired)} signatures in place`}
          />
        </dl>
      </section>

      <div className="space-y-6">
        <Card
          title="Compliance over the last 12 months"
          description="At the end of each month (and today for this month): the share of required courses, over the people in post then, held by a valid certification."
        >
          <LineChart
            id="trend"
            title="Organisation-wide compliance, last 12 months"
            description={trendDescription(o.trend)}
            points={o.trend.map((t) => ({ label: t.label.split(" ")[0], value: t.rate }))}
            table={{
              caption: "Organisation-wide compliance by month",
              columns: ["Month", "People", "Required", "Certified", "Compliance"],
              rows: o.trend.map((t, i) => [
                i === o.trend.length - 1 ? `${t.label} (today)` : t.label,
                n(t.people),
                n(t.required),
                n(t.complete),
                rateText(t.rate),
              ]),
            }}
          />
        </Card>

        <Card
          title="Completion by course"
          description="Overdue: assignments past their due date. Expiring: valid certifications that end within 30, 60 or 90 days."
        >
          <Table
            caption="Completion, overdue and expiring certifications by course"
            hideCaption
            columns={[
              { header: "Course", rowHeader: true, cell: (c) => c.title },
              { header: "Required", numeric: true, cell: (c) => n(c.required) },
              { header: "Certified", numeric: true, cell: (c) => n(c.complete) },
              {
                header: "Completion",
                headerClassName: "min-w-40",
                cell: (c) => <RateCell rate={c.rate} label={`${c.title} completion`} />,
              },
              {
                header: "Overdue",
                numeric: true,
                cell: (c) => (
                  <span className={c.overdue > 0 ? "font-semibold text-red-700" : undefined}>{n(c.overdue)}</span>
                ),
              },
              { header: "Expiring in 30 days", numeric: true, cell: (c) => n(c.expiring[30]) },
              { header: "60 days", numeric: true, cell: (c) => n(c.expiring[60]) },
              { header: "90 days", numeric: true, cell: (c) => n(c.expiring[90]) },
            ]}
            rows={o.courses}
            rowKey={(c) => c.courseId}
            empty="No courses yet"
          />
        </Card>

        <Card
          title="Completion by department"
          description="Required courses certified, over the people in post in each department."
        >
          {o.departments.length === 0 ? (
            <EmptyState title="No one is counted yet" />
          ) : (
            <BarChart
              id="departments"
              title="Completion by department"
              description={o.departments.map((d) => `${d.name}: ${rateText(d.rate)}`).join("; ") + "."}
              bars={o.departments.map((d) => ({
                label: d.name,
                value: d.rate,
                note: `${n(d.people)} ${d.people === 1 ? "person" : "people"}${d.overdue > 0 ? `, ${n(d.overdue)} overdue` : ""}`,
              }))}
              table={{
                caption: "Completion by department",
                columns: ["Department", "People", "Required", "Certified", "Completion", "Overdue"],
                rows: o.departments.map((d) => [
                  d.name,
                  n(d.people),
                  n(d.required),
                  n(d.complete),
                  rateText(d.rate),
                  n(d.overdue),
                ]),
              }}
            />
          )}
        </Card>

        <Card
          title="Agreement coverage"
          description="Employee agreements: who must sign each one, and who holds a signature at the current version that is not due for renewal."
        >
          <Table
            caption="Agreement coverage"
            hideCaption
            columns={[
              { header: "Agreement", rowHeader: true, cell: (a) => a.title },
              { header: "Must sign", numeric: true, cell: (a) => n(a.required) },
              { header: "Signed", numeric: true, cell: (a) => n(a.signed) },
              {
                header: "Coverage",
                headerClassName: "min-w-40",
                cell: (a) => <RateCell rate={a.rate} label={`${a.title} coverage`} />,
              },
              { header: "Not signed", numeric: true, cell: (a) => n(a.toSign) },
              { header: "Renewal or new version due", numeric: true, cell: (a) => n(a.renewalDue) },
            ]}
            rows={o.agreements}
            rowKey={(a) => a.agreementId}
            empty="No employee agreements yet"
          />
        </Card>
      </div>
    </>
  );
}

function RateCell({ rate, label }: { rate: number | null; label: string }) {
  if (rate === null) return <span className="text-slate-600">No one required</span>;
  return (
    <span className="flex items-center gap-2">
      <ProgressBar value={rate} label={label} className="w-24" />
      <span className="tabular-nums">{rateText(rate)}</span>
    </span>
  );
}
