import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { Badge } from "@/components/ui/badge";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { Alert } from "@/components/ui/field";
import { Table } from "@/components/ui/table";
import { requireViewer } from "@/lib/auth/gate";
import { NotFoundError } from "@/lib/errors";
import { formatDateTime } from "@/lib/format";
import { getImportJob, PROBLEMS_SHOWN } from "@/lib/people/import-jobs";
import { summaryText } from "@/lib/people/import-rules";

import { JOB_STATUS } from "../job-status";
import { JobActions } from "./job-actions";
import { JobProgress } from "./job-progress";

export const metadata: Metadata = { title: "Import" };

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en")} ${n === 1 ? one : many}`;

/** One uploaded file: what checking it found, applying it, and what it did. Survives reloads: all state is in the job. */
export default async function ImportJobPage({ params }: { params: Promise<{ jobId: string }> }) {
  const viewer = await requireViewer("page:/admin/people/import/[jobId]");
  const { jobId } = await params;
  const job = await getImportJob(viewer, jobId).catch((error) => {
    if (error instanceof NotFoundError) notFound();
    throw error;
  });
  const [label, tone] = JOB_STATUS[job.status];
  const applicable = job.summary ? job.summary.create + job.summary.update : 0;
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-slate-500">
        <Link href="/admin/people" className="hover:underline">
          People
        </Link>{" "}
        /{" "}
        <Link href="/admin/people/import" className="hover:underline">
          import
        </Link>{" "}
        / {job.fileName}
      </nav>
      <PageHeader
        title={`Import of ${job.fileName}`}
        description={`Uploaded ${formatDateTime(job.createdAt)} by ${job.createdByLabel}, ${(job.fileBytes / 1024).toLocaleString("en", { maximumFractionDigits: 0 })} KB.`}
        actions={<Badge tone={tone}>{label}</Badge>}
      />
      <div className="space-y-6">
        {(job.status === "validating" || job.status === "applying") && (
          <Card title={job.status === "validating" ? "Checking the file" : "Applying the file"}>
            <JobProgress jobId={job.id} initial={job} />
          </Card>
        )}
        {job.status === "failed" && <Alert>{job.error ?? "The import failed. Nothing was changed."}</Alert>}
        {job.status === "cancelled" && <Alert tone="info">This import was cancelled. Nothing was changed.</Alert>}
        {job.status === "applied" && job.result && (
          <Alert tone="success">
            <p className="font-medium" data-testid="import-result">
              Imported {job.fileName}: {plural(job.result.created, "person", "people")} created,{" "}
              {job.result.updated.toLocaleString("en")} updated.
            </p>
            <p className="mt-1">
              {job.result.created > 0
                ? "Each new person was sent one welcome email: a link to set a password and what is due. "
                : ""}
              {job.summary && job.summary.invalid > 0
                ? `${plural(job.summary.invalid, "row")} with errors ${job.summary.invalid === 1 ? "was" : "were"} skipped. `
                : ""}
              {job.finishedAt ? `Finished ${formatDateTime(job.finishedAt)}. ` : ""}
              <Link href="/admin/people" className="font-medium underline underline-offset-2">
                Back to people
              </Link>
            </p>
          </Alert>
        )}

        {job.summary && (
          <Card title="What the file does">
            <p role="status" className="text-sm text-slate-800" data-testid="import-summary">
              {plural(job.summary.rows, "row")}: {summaryText(job.summary)}.
              {job.status === "ready" ? " Nothing has been changed yet." : ""}
            </p>
            {job.status === "ready" && (
              <div className="mt-4">
                <JobActions jobId={job.id} applicable={applicable} />
              </div>
            )}
          </Card>
        )}

        {job.summary && (
          <Card
            title="Problems"
            description={
              job.problemCount > 0
                ? `Rows with problems are skipped; the others are applied. ${job.problemCount > job.problems.length ? `The first ${job.problems.length} of ${job.problemCount.toLocaleString("en")} are shown here; the download has every one.` : ""}`
                : undefined
            }
            actions={
              job.problemCount > 0 ? (
                <a
                  href={`/admin/people/import/${job.id}/problems`}
                  className="text-sm font-medium text-brand-700 underline underline-offset-2"
                  download
                >
                  Download all {plural(job.problemCount, "problem")} (CSV)
                </a>
              ) : undefined
            }
          >
            {job.problemCount === 0 ? (
              <EmptyState title="No problems found">Every row can be applied.</EmptyState>
            ) : (
              <Table
                caption={`The first ${Math.min(PROBLEMS_SHOWN, job.problemCount)} problems`}
                hideCaption
                empty="No problems found"
                rows={job.problems}
                rowKey={(_p, i) => i}
                rowAttributes={(p) => ({ "data-row": p.row })}
                columns={[
                  { header: "Row", rowHeader: true, className: "tabular-nums", cell: (p) => p.row },
                  { header: "Column", cell: (p) => p.column || "—" },
                  { header: "Value", cell: (p) => <span className="[overflow-wrap:anywhere]">{p.value || "—"}</span> },
                  { header: "Problem", cell: (p) => p.message },
                ]}
              />
            )}
          </Card>
        )}
      </div>
    </>
  );
}
