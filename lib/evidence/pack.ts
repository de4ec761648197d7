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
import { csvChunks, toCsv } from "@/lib/reports/csv";
import { addDays } from "@/lib/time";

import { exceptionKinds, exceptionsIn, type ExceptionKind } from "./exceptions";
import { exceptionRowStream } from "./exceptions-csv";
import { emptyTally, packFigures, tallied } from "./pack-figures";
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
  type GrantEvent,
  type PackScope,
  type Row,
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
  const addCsv = async (path: string, rows: AsyncIterable<Row>) =>
    files.push({ path, ...(await zip.addStream(path, csvChunks(rows))) });
  let done = 0;
  let total = 10;
  const step = async (phase: string) => progress(done++, total, phase);
  const tally = emptyTally();
  const count = tallied(tally, scope);

  await step("People in the period");
  await addCsv("population.csv", count.population(populationRows(db, scope)));

  await step("Training");
  await addCsv("training/assignments.csv", count.assignments(assignmentRows(db, scope)));
  await addCsv("training/attempts.csv", count.attempts(attemptRows(db, scope)));
  await addCsv("training/certifications.csv", count.certifications(certificationRows(db, scope)));

  await step("Agreements");
  const pdfs: { id: string; path: string }[] = [];
  await addCsv("agreements/signatures.csv", count.signatures(signatureRows(db, scope, pdfs)));
  total += pdfs.length;
  for (const pdf of pdfs) {
    await step("Signed agreement PDFs");
    const stored = await storedPdf(db, pdf.id);
    if (stored) await add(pdf.path, decryptBytes(stored, `signature:${pdf.id}`));
  }

  await step("Access grants");
  const grants: Record<GrantEvent, number> = { requested: 0, approved: 0, denied: 0, revoked: 0, lapsed: 0 };
  await addCsv("access/grants.csv", grantRows(db, scope, grants));
  await step("Access decisions");
  const decisions = await decisionSample(db, scope, request.id);
  await add("access/decisions-sample.csv", toCsv(decisions.rows));

  await step("Exceptions");
  const exceptionCounts = Object.fromEntries(Object.keys(exceptionKinds).map((k) => [k, 0])) as Record<
    ExceptionKind,
    number
  >;
  async function* countedExceptions() {
    for await (const e of exceptionsIn(db, { ...scope, overdueDays: request.overdueDays })) {
      exceptionCounts[e.kind]++;
      yield e;
    }
  }
  await addCsv("exceptions.csv", exceptionRowStream(countedExceptions()));

  await step("Summary");
  const [checkpoint] = await db
    .select({ ...checkpointSummary, document: auditCheckpoints.document })
    .from(auditCheckpoints)
    .orderBy(desc(auditCheckpoints.id))
    .limit(1);
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
          tally,
          pdfs: pdfs.length,
          grants,
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
