import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { PDFDocument } from "pdf-lib";

import { openDatabase, setDatabaseForTests } from "@/db/client";
import { fillPlaceholders } from "@/lib/agreements/signing.rules";
import { getAgreementTemplate, getContent } from "@/lib/content";
import { renderAgreementPdf } from "@/lib/pdf/render-agreement";
import { sealPdf } from "@/lib/pdf/seal";
import { submitAttempt } from "@/lib/training/attempts";
import { drawQuestions, gradeAttempt } from "@/lib/training/quiz.rules";

import { benchLog as log, machineFacts, withBenchDatabase } from "./lib/bench-app";
import { createLearners, prepareAttempts } from "./lib/bench-learners";
import { median } from "./lib/bench-load";
import { benchSettings } from "./lib/bench-settings";

/**
 * npm run bench — every benchmark in one run: the access API (bench:access),
 * the reports (bench:reports), sealing an NDA, and grading quizzes. Prints one
 * table and writes bench-results/all.json. Timings only; nothing here passes
 * or fails on speed.
 */

const PDF_RUNS = 15;
const GRADE_SECONDS = 3;
const SUBMISSIONS = 200;
const SUBMIT_CONCURRENCY = 20;

type Row = { benchmark: string; figure: string; target: string; met: boolean | null };

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** Renders the employee NDA as signed by a demo person; times sealing it next to saving it unsealed. */
async function pdfBench() {
  const template = getAgreementTemplate("employee-nda");
  if (!template) throw new Error("content/agreements has no employee-nda");
  const input = {
    documentId: randomUUID(),
    title: template.title,
    version: template.version,
    organisation: "Brightline Support Ltd",
    bodyMarkdown: fillPlaceholders(template.body, {
      personName: "José Ñúñez",
      personEmail: "jose.nunez@brightline.example",
      organisation: "Brightline Support Ltd",
      jurisdiction: "England and Wales",
      date: new Date(),
    }),
    signer: { name: "José Ñúñez", email: "jose.nunez@brightline.example" },
    signedAt: new Date(),
    certificate: {
      authMethod: "Password re-authentication",
      ip: "203.0.113.7",
      userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
      consentVersion: "2025-01",
      consentMarkdown: "I agree to sign electronically.",
      textSha256: "0".repeat(64),
      events: [{ at: new Date(), label: "Signed" }],
    },
  };
  const render: number[] = [];
  const unsealedSave: number[] = [];
  const seal: number[] = [];
  let bytes = 0;
  for (let i = 0; i < PDF_RUNS; i++) {
    const rendered = await timed(() => renderAgreementPdf(input));
    render.push(rendered.ms);
    unsealedSave.push(
      (
        await timed(async () =>
          (await PDFDocument.load(rendered.value, { updateMetadata: false })).save({ useObjectStreams: false }),
        )
      ).ms,
    );
    const sealed = await timed(() =>
      sealPdf(rendered.value, { reason: "Signed by José Ñúñez", location: "Clearance (web)" }),
    );
    seal.push(sealed.ms);
    bytes = sealed.value.length;
  }
  return {
    runs: PDF_RUNS,
    renderMedianMs: round(median(render)),
    unsealedSaveMedianMs: round(median(unsealedSave)),
    sealMedianMs: round(median(seal)),
    sealedBytes: bytes,
  };
}

/** Draws and grades attempts from the largest question bank, in memory, for a few seconds. */
function gradingBench() {
  const course = [...getContent().courses].sort((a, b) => b.questions.length - a.questions.length)[0];
  let graded = 0;
  const deadline = performance.now() + GRADE_SECONDS * 1000;
  while (performance.now() < deadline) {
    const drawn = drawQuestions(course.questions, course.questionsPerAttempt);
    gradeAttempt(drawn, Object.fromEntries(drawn.map((q) => [q.id, q.correct])), course.passMark);
    graded++;
  }
  return {
    course: course.id,
    questions: course.questionsPerAttempt,
    gradesPerSecond: Math.round(graded / GRADE_SECONDS),
  };
}

/** SUBMISSIONS people each submit one passing attempt through lib/training, SUBMIT_CONCURRENCY at a time, on PostgreSQL. */
async function submissionBench(url: string) {
  const handle = await openDatabase({ url });
  setDatabaseForTests(handle);
  try {
    const attempts = await prepareAttempts(
      handle.db,
      await createLearners(handle.db, SUBMISSIONS, "learner"),
      "access-control-mfa",
    );
    let next = 0;
    let passed = 0;
    const { ms } = await timed(() =>
      Promise.all(
        Array.from({ length: SUBMIT_CONCURRENCY }, async () => {
          while (next < attempts.length) {
            const a = attempts[next++];
            const result = await submitAttempt(
              a.viewer,
              { actorId: a.viewer.id, actorLabel: a.viewer.email, ip: "127.0.0.1", userAgent: "bench" },
              a.attemptId,
              a.answers,
            );
            if (result.passed) passed++;
          }
        }),
      ),
    );
    return {
      submissions: SUBMISSIONS,
      concurrency: SUBMIT_CONCURRENCY,
      passed,
      seconds: round(ms / 1000),
      submissionsPerSecond: Math.round((SUBMISSIONS / ms) * 1000),
    };
  } finally {
    setDatabaseForTests(undefined);
    await handle.close();
  }
}

function runChild(script: string): number {
  log(`npm run ${script}…`);
  return spawnSync("npm", ["run", "--silent", script], { stdio: "inherit" }).status ?? 1;
}

function readJson(file: string): Record<string, unknown> | null {
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>) : null;
}

async function main(): Promise<number> {
  const started = Date.now();
  const loadAtStart = os.loadavg()[0];
  const adminUrl = benchSettings().BENCH_DATABASE_URL;
  const rows: Row[] = [];
  try {
    const childStatus = { access: runChild("bench:access"), reports: runChild("bench:reports") };
    const access = childStatus.access === 0 ? readJson("bench-results/access.json") : null;
    const reports = childStatus.reports === 0 ? readJson("bench-results/reports.json") : null;

    log("sealing the NDA…");
    const pdf = await pdfBench();
    log("grading quizzes…");
    const grading = gradingBench();
    log(`submitting ${SUBMISSIONS} quizzes…`);
    const { submissions, serverVersion } = await withBenchDatabase(
      adminUrl,
      "clearance_bench_quiz",
      async (database) => ({ submissions: await submissionBench(database.url), serverVersion: database.serverVersion }),
    );

    if (access) {
      type Load = { requestsPerSecond: number; p99Ms: number };
      const get = access.get as { connections: number; api: Load; baseline: Load; listenerFloor: Load }[];
      for (const g of get) {
        const share = g.api.requestsPerSecond / Math.max(1, g.baseline.requestsPerSecond);
        const floor = `a constant answer on the same listener: p99 ${g.listenerFloor.p99Ms} ms`;
        rows.push({
          benchmark: `access check (decision listener), ${g.connections} connections`,
          figure: `${g.api.requestsPerSecond} req/s (${Math.round(share * 100)}% of baseline), p99 ${g.api.p99Ms} ms (${floor})`,
          target: g.connections === 200 ? "≥ 50% of baseline, p99 < 20 ms" : "—",
          met: g.connections === 200 ? share >= 0.5 && g.api.p99Ms < 20 : null,
        });
      }
      const batch = access.batch as { pairs: number; medianMs: number };
      rows.push({
        benchmark: `access check (decision listener), batch of ${batch.pairs}`,
        figure: `${batch.medianMs} ms median`,
        target: "< 100 ms",
        met: batch.medianMs < 100,
      });
    } else
      rows.push({
        benchmark: "access check",
        figure: `bench:access failed (exit ${childStatus.access})`,
        target: "",
        met: false,
      });
    if (reports) {
      for (const p of reports.pages as {
        path: string;
        renderMs: { median: number };
        rawSqlMs: number;
        ratio: number;
        meetsTarget: boolean;
      }[]) {
        rows.push({
          benchmark: `${p.path} render (${p.path === "/team" ? "1,000 reports of 10,000 people" : "10,000 people"})`,
          figure: `${p.renderMs.median} ms (raw SQL ${p.rawSqlMs} ms, ${p.ratio}×)`,
          target: "< 500 ms, ≤ 2× raw SQL",
          met: p.meetsTarget,
        });
      }
    } else
      rows.push({
        benchmark: "reports",
        figure: `bench:reports failed (exit ${childStatus.reports})`,
        target: "",
        met: false,
      });
    rows.push({
      benchmark: "NDA PDF: seal",
      figure: `${pdf.sealMedianMs} ms median (saving unsealed ${pdf.unsealedSaveMedianMs} ms; rendering ${pdf.renderMedianMs} ms)`,
      target: "—",
      met: null,
    });
    rows.push({
      benchmark: "quiz grading, in memory",
      figure: `${grading.gradesPerSecond.toLocaleString("en")} attempts/s (${grading.questions} questions)`,
      target: "—",
      met: null,
    });
    rows.push({
      benchmark: "quiz submissions, PostgreSQL",
      figure: `${submissions.submissionsPerSecond} submissions/s (${submissions.submissions}, ${submissions.concurrency} at a time)`,
      target: "—",
      met: null,
    });

    const width = (key: keyof Row) => Math.max(key.length, ...rows.map((r) => String(r[key]).length));
    const [wb, wf, wt] = [width("benchmark"), width("figure"), width("target")];
    console.log(`\n${"benchmark".padEnd(wb)} | ${"figure".padEnd(wf)} | ${"target".padEnd(wt)} | met`);
    console.log(`${"-".repeat(wb)}-|-${"-".repeat(wf)}-|-${"-".repeat(wt)}-|----`);
    for (const r of rows)
      console.log(
        `${r.benchmark.padEnd(wb)} | ${r.figure.padEnd(wf)} | ${r.target.padEnd(wt)} | ${r.met === null ? "" : r.met ? "yes" : "no"}`,
      );

    const report = {
      at: new Date().toISOString(),
      machine: machineFacts(loadAtStart, serverVersion),
      table: rows,
      access,
      reports,
      pdf,
      grading,
      submissions,
      totalSeconds: Math.round((Date.now() - started) / 1000),
    };
    mkdirSync("bench-results", { recursive: true });
    writeFileSync(path.join("bench-results", "all.json"), `${JSON.stringify(report, null, 2)}\n`);
    log(`wrote bench-results/all.json (${report.totalSeconds} s in all)`);
    return childStatus.access === 0 && childStatus.reports === 0 ? 0 : 1;
  } catch (error) {
    console.error(`[bench] failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

process.exitCode = await main();
