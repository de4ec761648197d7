import "server-only";

import { createHash } from "node:crypto";

import { desc, eq } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { auditCheckpoints, departments } from "@/db/schema";
import { checkpointSummary } from "@/lib/audit/checkpoints";
import { organisationName } from "@/lib/content/organisation";
import { decryptBytes } from "@/lib/crypto/encryption";
import { env } from "@/lib/env";
import { DomainError } from "@/lib/errors";
import { signDetached } from "@/lib/pdf/cms";
import { getSigningIdentity } from "@/lib/pdf/signing-identity";
import { requestTimestamp } from "@/lib/pdf/timestamp";
import { toCsv } from "@/lib/reports/csv";
import { addDays } from "@/lib/time";

import { exceptionKinds, findExceptions, type ExceptionKind } from "./exceptions";
import { exceptionRows } from "./exceptions-csv";
import { packFigures } from "./pack-figures";
import {
  assignmentRows,
  attemptRows,
  certificationRows,
  DECISION_SAMPLE_SIZE,
  decisionSample,
  grantRows,
  populationRows,
  sampleMethod,
  signatureRows,
  storedPdf,
  type PackScope,
} from "./pack-sections";
import { renderSummaryPdf } from "./summary-pdf";
import { ZipWriter, type ZipSink } from "./zip-writer";

export const MANIFEST = "manifest.json";
export const MANIFEST_SIGNATURE = "manifest.json.p7s";
export const PACK_FORMAT = "clearance-evidence-pack/1";

export type PackRequest = {
  id: string;
  /** First and last day of the period, YYYY-MM-DD (UTC, both included). */
  periodFrom: string;
  periodTo: string;
  departmentId: string | null;
  overdueDays: number;
  generatedBy: { id: string | null; label: string };
  generatedAt: Date;
};

export type ManifestFile = { path: string; size: number; sha256: string };

export type PackProgress = (done: number, total: number, phase: string) => void | Promise<void>;

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** The period as instants: from the start of the first day to the end of the last (UTC). */
export function packPeriod(request: Pick<PackRequest, "periodFrom" | "periodTo">): { from: Date; to: Date } {
  return {
    from: new Date(`${request.periodFrom}T00:00:00Z`),
    to: addDays(new Date(`${request.periodTo}T00:00:00Z`), 1),
  };
}

/**
 * Writes an evidence pack as a ZIP to `sink`, file by file: the population,
 * training, agreements (with their stored sealed PDFs), access, exceptions, a
 * summary PDF, and a manifest of every file's SHA-256 signed (detached CMS)
 * with the organisation's sealing certificate. Reads the records as they are
 * now for the given period; the caller checks who may ask.
 */
export async function writeEvidencePack(
  db: Executor,
  request: PackRequest,
  sink: ZipSink,
  progress: PackProgress = () => {},
): Promise<{ files: ManifestFile[]; bytes: number }> {
  const period = packPeriod(request);
  const scope: PackScope = { ...period, departmentId: request.departmentId };
  let departmentName: string | null = null;
  if (request.departmentId) {
    const [row] = await db
      .select({ name: departments.name })
      .from(departments)
      .where(eq(departments.id, request.departmentId));
    if (!row) throw new DomainError("unknown_department", "There is no such department.");
    departmentName = row.name;
  }

  const zip = new ZipWriter(sink);
  const files: ManifestFile[] = [];
  const add = async (path: string, content: Buffer | string) => {
    const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    await zip.add(path, bytes);
    files.push({ path, size: bytes.length, sha256: sha256(bytes) });
  };
  let done = 0;
  let total = 10;
  const step = async (phase: string) => progress(done++, total, phase);

  await step("People in the period");
  const population = await populationRows(db, scope);
  await add("population.csv", toCsv(population));

  await step("Training");
  const assignments = await assignmentRows(db, scope);
  await add("training/assignments.csv", toCsv(assignments));
  const attempts = await attemptRows(db, scope);
  await add("training/attempts.csv", toCsv(attempts));
  const certifications = await certificationRows(db, scope);
  await add("training/certifications.csv", toCsv(certifications));

  await step("Agreements");
  const signed = await signatureRows(db, scope);
  await add("agreements/signatures.csv", toCsv(signed.rows));
  total += signed.pdfs.length;
  for (const pdf of signed.pdfs) {
    await step("Signed agreement PDFs");
    const stored = await storedPdf(db, pdf.id);
    if (stored) await add(pdf.path, decryptBytes(stored, `signature:${pdf.id}`));
  }

  await step("Access grants");
  const grants = await grantRows(db, scope);
  await add("access/grants.csv", toCsv(grants.rows));
  await step("Access decisions");
  const decisions = await decisionSample(db, scope, request.id);
  await add("access/decisions-sample.csv", toCsv(decisions.rows));

  await step("Exceptions");
  const exceptions = await findExceptions(db, { ...scope, overdueDays: request.overdueDays });
  await add("exceptions.csv", toCsv(exceptionRows(exceptions)));

  await step("Summary");
  const [checkpoint] = await db
    .select({ ...checkpointSummary, document: auditCheckpoints.document })
    .from(auditCheckpoints)
    .orderBy(desc(auditCheckpoints.id))
    .limit(1);
  const exceptionCounts = Object.fromEntries(
    Object.keys(exceptionKinds).map((k) => [k, exceptions.filter((e) => e.kind === k).length]),
  ) as Record<ExceptionKind, number>;
  const scopeText = departmentName ? `Department ${departmentName} (${request.departmentId})` : "Whole organisation";
  const method = sampleMethod(request.id);
  await add(
    "summary.pdf",
    Buffer.from(
      await renderSummaryPdf({
        organisation: organisationName(),
        packId: request.id,
        period: { from: request.periodFrom, to: request.periodTo },
        scope: scopeText,
        generatedBy: request.generatedBy.label,
        generatedAt: request.generatedAt,
        sections: packFigures({
          scope,
          population,
          assignments,
          attempts,
          certifications,
          signatures: signed.rows,
          pdfs: signed.pdfs.length,
          grants: grants.counts,
          decisions: { total: decisions.total, allowed: decisions.allowed, sampled: decisions.rows.length - 1 },
          exceptions: exceptionCounts,
          overdueDays: request.overdueDays,
        }),
        sampleMethod: method,
        checkpoint: checkpoint
          ? `Newest signed audit checkpoint when the pack was made: #${checkpoint.id} of ${checkpoint.createdAt.toISOString()}, ${checkpoint.eventCount} events through event #${checkpoint.headId} (head hash ${checkpoint.headHash}). Its signed document is in manifest.json; npm run audit:verify checks the log against it.`
          : "No signed audit checkpoint existed when the pack was made.",
      }),
    ),
  );

  await step("Manifest and signature");
  const manifest = Buffer.from(
    `${JSON.stringify(
      {
        format: PACK_FORMAT,
        packId: request.id,
        organisation: organisationName(),
        period: { from: request.periodFrom, to: request.periodTo, timeZone: "UTC", bothDaysIncluded: true },
        scope: { departmentId: request.departmentId, department: departmentName },
        overdueDays: request.overdueDays,
        generatedBy: request.generatedBy,
        generatedAt: request.generatedAt.toISOString(),
        decisionSample: { method, seed: request.id, size: DECISION_SAMPLE_SIZE },
        auditCheckpoint: checkpoint ? { ...checkpoint, createdAt: checkpoint.createdAt.toISOString() } : null,
        files,
      },
      null,
      2,
    )}\n`,
    "utf8",
  );
  await zip.add(MANIFEST, manifest);
  await zip.add(MANIFEST_SIGNATURE, await signManifest(manifest));
  await zip.finish();
  await progress(total, total, "Done");
  return { files, bytes: zip.size };
}

/** A detached CMS signature of the manifest with the sealing certificate, time-stamped when TSA_URL is set. */
async function signManifest(manifest: Buffer): Promise<Buffer> {
  const tsaUrl = env().TSA_URL;
  return signDetached(
    manifest,
    getSigningIdentity(),
    tsaUrl ? async (signature) => (await requestTimestamp(tsaUrl, signature)).token : undefined,
  );
}
