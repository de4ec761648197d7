import type { Metadata } from "next";
import Link from "next/link";

import { Badge } from "@/components/ui/badge";
import { Card, PageHeader } from "@/components/ui/card";
import { Table } from "@/components/ui/table";
import { requireViewer } from "@/lib/auth/gate";
import { formatDateTime } from "@/lib/format";
import { IMPORT_JOB_MAX_ROWS, listImportJobs } from "@/lib/people/import-jobs";
import { IMPORT_COLUMNS, IMPORT_JOB_MAX_BYTES, summaryText } from "@/lib/people/import-rules";
import { departmentOptions } from "@/lib/people/person-editor";

import { JOB_STATUS } from "./job-status";
import { UploadForm } from "./upload-form";

export const metadata: Metadata = { title: "Import people" };

const COLUMN_HELP: Record<(typeof IMPORT_COLUMNS)[number], string> = {
  email:
    "Required. The work email address; it identifies the person, so a row with an existing email updates that person.",
  name: "Required. Full legal name, as agreements are signed.",
  department: "The department's name or id.",
  title: "Job title.",
  manager_email: "The manager's email: someone who already exists, or a row in the same file.",
  hire_date: "YYYY-MM-DD, for example 2026-11-01. Training is due from this date.",
  roles: "Any of employee, manager, compliance_admin, auditor, separated by ; or |. Everyone is an employee.",
};

export default async function ImportPeoplePage() {
  const viewer = await requireViewer("page:/admin/people/import");
  const [departments, jobs] = await Promise.all([departmentOptions(), listImportJobs(viewer)]);
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-slate-500">
        <Link href="/admin/people" className="hover:underline">
          People
        </Link>{" "}
        / import
      </nav>
      <PageHeader
        title="Import people"
        description="Upload a CSV file to add people and update existing ones — a whole organisation at once. The file is checked in the background and you see what it would do before anything changes; then only the valid rows are applied, in steps that carry on after a restart. Each new person gets one welcome email: a link to set their password and what is due."
      />
      <div className="space-y-6">
        <Card title="Upload a file">
          <UploadForm />
        </Card>
        <Card title="Recent imports">
          <Table
            caption="Recent imports, newest first"
            hideCaption
            empty="No imports yet. Files you upload appear here, with what they did."
            rows={jobs}
            rowKey={(j) => j.id}
            columns={[
              {
                header: "File",
                rowHeader: true,
                cell: (j) => (
                  <Link href={`/admin/people/import/${j.id}`} className="font-medium text-brand-700 underline">
                    {j.fileName}
                  </Link>
                ),
              },
              { header: "Uploaded", cell: (j) => formatDateTime(j.createdAt) },
              { header: "By", cell: (j) => j.createdByLabel },
              {
                header: "Status",
                cell: (j) => <Badge tone={JOB_STATUS[j.status][1]}>{JOB_STATUS[j.status][0]}</Badge>,
              },
              {
                header: "Rows",
                cell: (j) =>
                  j.result
                    ? `${j.result.created.toLocaleString("en")} created, ${j.result.updated.toLocaleString("en")} updated`
                    : j.summary
                      ? summaryText(j.summary)
                      : "—",
              },
            ]}
          />
        </Card>
        <Card
          title="The file"
          description={`UTF-8 CSV with a header row, at most ${IMPORT_JOB_MAX_BYTES / 1024 / 1024} MB and ${IMPORT_JOB_MAX_ROWS.toLocaleString("en")} people, in any order (a manager may come after their reports). Row numbers count the header as row 1, as in a spreadsheet. An empty cell leaves the current value as it is.`}
        >
          <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-[max-content_1fr]">
            {IMPORT_COLUMNS.map((column) => (
              <div key={column} className="contents">
                <dt className="font-mono text-slate-900">{column}</dt>
                <dd className="text-slate-700">{COLUMN_HELP[column]}</dd>
              </div>
            ))}
          </dl>
          <p className="mt-4 text-sm text-slate-700">
            Departments: {departments.map((d) => `${d.name} (${d.id})`).join(", ")}.
          </p>
          <pre className="mt-4 overflow-x-auto rounded-md bg-slate-50 px-4 py-3 text-xs text-slate-800">
            {`email,name,department,title,manager_email,hire_date,roles\nana.silva@example.com,Ana Silva,Customer Support,Support Engineer,priya.nair@example.com,2023-04-03,employee\n"o'neil@example.com","O'Neil, Pat",engineering,Team Lead,,2026-12-01,employee;manager`}
          </pre>
        </Card>
      </div>
    </>
  );
}
