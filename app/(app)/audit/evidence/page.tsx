import type { Metadata } from "next";

import { Badge, type Tone } from "@/components/ui/badge";
import { Card, PageHeader } from "@/components/ui/card";
import { Table } from "@/components/ui/table";
import type { EvidencePackStatus } from "@/db/schema/evidence";
import { requireViewer } from "@/lib/auth/gate";
import { listEvidencePacks } from "@/lib/evidence/packs";
import { formatDateTime } from "@/lib/format";
import { departmentOptions } from "@/lib/people/person-editor";
import { addMonths } from "@/lib/time";

import { GenerateForm } from "./generate-form";
import { PackProgress } from "./pack-progress";

export const metadata: Metadata = { title: "Evidence packs" };

const STATUS: Record<EvidencePackStatus, [label: string, tone: Tone]> = {
  queued: ["Queued", "info"],
  running: ["Being made", "info"],
  ready: ["Ready", "success"],
  failed: ["Failed", "danger"],
};

const size = (bytes: number) =>
  bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export default async function EvidencePage() {
  const viewer = await requireViewer("page:/audit/evidence");
  const [departments, packs] = await Promise.all([departmentOptions(), listEvidencePacks(viewer)]);
  const today = new Date().toISOString().slice(0, 10);
  const yearAgo = addMonths(new Date(`${today}T00:00:00Z`), -12)
    .toISOString()
    .slice(0, 10);
  return (
    <>
      <PageHeader
        title="Evidence packs"
        description="One ZIP for an auditor: who was employed in the period, their training, signed agreements (with the sealed PDFs), access grants and a sample of access decisions, the exceptions report and a summary mapped to controls — with a manifest of every file's SHA-256 signed by the organisation's sealing certificate."
      />
      <div className="space-y-6">
        <Card title="Make a pack">
          <GenerateForm defaults={{ from: yearAgo, to: today }} departments={departments} />
        </Card>
        <Card title="Packs" description="Newest first. Anyone with the ZIP can check it: see “How to verify” below.">
          <Table
            caption="Evidence packs, newest first"
            hideCaption
            empty="No packs yet. Packs you generate appear here."
            rows={packs}
            rowKey={(p) => p.id}
            columns={[
              {
                header: "Period",
                rowHeader: true,
                className: "whitespace-nowrap",
                cell: (p) => `${p.periodFrom} to ${p.periodTo}`,
              },
              { header: "Scope", cell: (p) => p.departmentName ?? (p.departmentId ? p.departmentId : "Organisation") },
              {
                header: "Requested",
                cell: (p) => (
                  <>
                    {formatDateTime(p.createdAt)}
                    <span className="block text-xs text-slate-500">{p.createdByLabel}</span>
                  </>
                ),
              },
              {
                header: "Status",
                cell: (p) =>
                  p.status === "queued" || p.status === "running" ? (
                    <PackProgress
                      packId={p.id}
                      initial={{ status: p.status, phase: p.phase, rowsDone: p.rowsDone, rowsTotal: p.rowsTotal }}
                    />
                  ) : (
                    <>
                      <Badge tone={STATUS[p.status][1]}>{STATUS[p.status][0]}</Badge>
                      {p.error && <span className="mt-1 block text-xs text-red-700">{p.error}</span>}
                    </>
                  ),
              },
              {
                header: "ZIP",
                cell: (p) =>
                  p.status === "ready" && p.zipBytes !== null ? (
                    <>
                      <a
                        href={`/audit/evidence/${p.id}/download`}
                        className="font-medium text-brand-700 underline"
                        download
                      >
                        Download ({size(p.zipBytes)})
                      </a>
                      <span className="block font-mono text-xs break-all text-slate-500" title="SHA-256 of the ZIP">
                        SHA-256 {p.zipSha256}
                      </span>
                    </>
                  ) : (
                    "—"
                  ),
              },
            ]}
          />
        </Card>
        <Card title="How to verify a pack">
          <div className="space-y-2 text-sm text-slate-700">
            <p>
              <code>manifest.json</code> lists every file with its size and SHA-256; <code>manifest.json.p7s</code> is a
              detached CMS signature of it by the organisation&apos;s sealing certificate. Unzip the pack, then:
            </p>
            <pre className="overflow-x-auto rounded-md bg-slate-50 px-4 py-3 text-xs text-slate-800">
              {`openssl cms -verify -binary -inform DER -in manifest.json.p7s \\
  -content manifest.json -CAfile sealing-certificate.pem -out /dev/null
sha256sum -c <(jq -r '.files[] | "\\(.sha256)  \\(.path)"' manifest.json)`}
            </pre>
            <p>
              Or, with Clearance installed: <code>npm run evidence:verify -- pack.zip</code>.
            </p>
          </div>
        </Card>
      </div>
    </>
  );
}
