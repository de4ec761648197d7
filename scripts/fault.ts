import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";

import postgres from "postgres";

import { openDatabase, setDatabaseForTests } from "@/db/client";
import { issueConsentCode } from "@/lib/agreements/consent-check";
import { giveConsent, openSigning, signAsEmployee } from "@/lib/agreements/employee-agreements";
import { verifyAuditChain } from "@/lib/audit/verify";
import type { Viewer } from "@/lib/auth/roles";
import { decryptBytes } from "@/lib/crypto/encryption";
import { sha256Hex } from "@/lib/crypto/hash";
import { randomToken } from "@/lib/crypto/tokens";
import { childProcessEnv, configureEnvForScript } from "@/lib/env";
import { verifySealedPdf } from "@/lib/pdf/verify-seal";
import { submitAttempt } from "@/lib/training/attempts";

import { benchLog as log, runBenchmark, startBenchApp } from "./lib/bench-app";
import { createLearners, LEARNER_PASSWORD, prepareAttempts, type PreparedAttempt } from "./lib/bench-learners";

/**
 * npm run test:fault — quiz submissions, signings and access checks at
 * once, with the app server and the worker doing the writes killed with
 * SIGKILL half-way, then restarted to finish. Afterwards: every
 * acknowledged submission and signature exists exactly once, no
 * certificate or signature is duplicated, every sealed PDF verifies, every
 * answered access check was logged, and the audit chain verifies.
 *
 * Submissions and signings run through the lib/ functions the Server
 * Actions call, in a worker process of their own; access checks go over
 * HTTP to `next start`. `--small` is the size CI runs.
 */

const small = process.argv.includes("--small");
const SUBMISSIONS = small ? 40 : 200;
const SIGNINGS = small ? 10 : 50;
const CHECKS = small ? 1000 : 5000;
const CONCURRENCY = 10;
const COURSE = "access-control-mfa";
const AGREEMENT = "employee-nda";
const CONTEXT = { actorId: null, actorLabel: "fault-run", ip: "127.0.0.1", userAgent: "fault-run" };

type Work = { attempts: PreparedAttempt[]; signings: { viewer: Viewer; ceremonyId: string }[] };

// Worker mode: do the writes, print one line per acknowledged write.
if (process.argv[2] === "--worker") {
  process.exitCode = await worker(process.argv[3], process.argv[4]);
} else {
  process.exitCode = await main();
}

async function worker(databaseUrl: string, workFile: string): Promise<number> {
  const work = JSON.parse(readFileSync(workFile, "utf8")) as Work;
  const handle = await openDatabase({ url: databaseUrl });
  setDatabaseForTests(handle);
  const submissions = work.attempts.map((a) => async () => {
    await submitAttempt(a.viewer, { ...CONTEXT, actorId: a.viewer.id }, a.attemptId, a.answers);
    return `attempt ${a.attemptId}`;
  });
  const signings = work.signings.map((s) => async () => {
    const { signatureId } = await signAsEmployee(
      s.viewer,
      { ...CONTEXT, actorId: s.viewer.id },
      { agreementId: AGREEMENT, ceremonyId: s.ceremonyId, password: LEARNER_PASSWORD, typedName: s.viewer.name },
    );
    return `signature ${s.ceremonyId} ${signatureId}`;
  });
  // Interleaved, so the kill lands while both kinds are in flight.
  const every = Math.max(1, Math.floor(submissions.length / Math.max(1, signings.length)));
  const jobs: (() => Promise<string>)[] = [];
  submissions.forEach((job, i) => {
    jobs.push(job);
    if (i % every === every - 1 && signings.length) jobs.push(signings.shift()!);
  });
  jobs.push(...signings);
  let next = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++];
        try {
          console.log(`ack ${await job()}`);
        } catch (error) {
          // A signing finished before a kill is "already completed" on the retry: checked by the invariants.
          failed++;
          console.log(`error ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }),
  );
  await handle.close();
  console.log(`done ${failed}`);
  return 0;
}

function startWorker(
  databaseUrl: string,
  workFile: string,
  onAck: (line: string) => void,
): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1], "--worker", databaseUrl, workFile], {
    env: childProcessEnv(),
    detached: true,
    stdio: ["ignore", "pipe", "inherit"],
  });
  createInterface({ input: child.stdout! }).on("line", onAck);
  return { child, exited: new Promise((resolve) => child.once("exit", (code) => resolve(code))) };
}

async function main(): Promise<number> {
  const workDir = mkdtempSync(path.join(os.tmpdir(), "clearance-fault-"));
  // This run's own development keys and seal certificate, shared with the worker process.
  configureEnvForScript({ DATA_DIR: workDir });
  try {
    return await runBenchmark("clearance_fault", async (database) => {
      // Preparation through lib/, as people would have got there: lessons read, quizzes started, agreements opened with consent given.
      const handle = await openDatabase({ url: database.url });
      setDatabaseForTests(handle);
      const attempts = await prepareAttempts(
        handle.db,
        await createLearners(handle.db, SUBMISSIONS, "learner"),
        COURSE,
      );
      const signers = await createLearners(handle.db, SIGNINGS, "signer");
      const signings = [];
      for (const viewer of signers) {
        const { ceremony } = await openSigning(viewer, AGREEMENT, "127.0.0.1");
        const consentCode = await issueConsentCode(ceremony.id);
        await giveConsent(viewer, { ...CONTEXT, actorId: viewer.id }, AGREEMENT, ceremony.id, consentCode);
        signings.push({ viewer, ceremonyId: ceremony.id });
      }
      setDatabaseForTests(undefined);
      await handle.close();
      const workFile = path.join(workDir, "work.json");
      writeFileSync(workFile, JSON.stringify({ attempts, signings } satisfies Work));
      log(`prepared ${attempts.length} quiz attempts and ${signings.length} signing ceremonies`);

      const sql = postgres(database.url, { max: 2, onnotice: () => {} });
      const token = `clr_${randomToken(32)}`;
      await sql`insert into api_clients (name, scopes, token_hash, token_prefix, rate_limit_per_minute, created_at) values ('fault', ${["access:check"]}, ${sha256Hex(token)}, ${token.slice(0, 10)}, ${2_000_000_000}, now())`;

      const acked = { attempts: new Set<string>(), signatures: new Map<string, string>() };
      const onAck = (line: string) => {
        const [kind, what, id, signatureId] = line.split(" ");
        if (kind !== "ack") return;
        if (what === "attempt") acked.attempts.add(id);
        else if (what === "signature") acked.signatures.set(id, signatureId);
      };
      const total = attempts.length + signings.length;

      let app = await startBenchApp(database.url);
      let first = startWorker(database.url, workFile, onAck);
      // Access checks over HTTP all along, in flight when the server dies; a check refused while it is down is retried
      // until answered. After the restart they go on until CHECKS are answered in all, and at least a tenth of them after it.
      let answered = 0;
      let answeredAfterRestart = 0;
      let refused = 0;
      let restarted = false;
      const emails = [...attempts.map((a) => a.viewer.email), ...signers.map((s) => s.email)];
      let origin = app.origin;
      const checks = Promise.all(
        Array.from({ length: CONCURRENCY }, async (_, lane) => {
          for (let i = lane; !restarted || answered < CHECKS || answeredAfterRestart < CHECKS / 10; i += CONCURRENCY) {
            for (;;) {
              try {
                const response = await fetch(
                  `${origin}/api/v1/access/check?user=${encodeURIComponent(emails[i % emails.length])}&role=customer-pii-read`,
                  { headers: { authorization: `Bearer ${token}` } },
                );
                await response.arrayBuffer();
                if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
                answered++;
                if (restarted) answeredAfterRestart++;
                break;
              } catch {
                refused++;
                await new Promise((r) => setTimeout(r, 100));
              }
            }
          }
        }),
      );

      // Kill both half-way through the writes.
      while (acked.attempts.size + acked.signatures.size < total / 2 && first.child.exitCode === null)
        await new Promise((r) => setTimeout(r, 20));
      const ackedBeforeKill = acked.attempts.size + acked.signatures.size;
      process.kill(-first.child.pid!, "SIGKILL");
      process.kill(-app.process.pid!, "SIGKILL");
      await first.exited;
      await app.stop();
      log(`SIGKILL after ${ackedBeforeKill} of ${total} writes were acknowledged and ${answered} checks answered`);

      app = await startBenchApp(database.url);
      origin = app.origin;
      restarted = true;
      first = startWorker(database.url, workFile, onAck);
      await first.exited;
      await checks;
      await app.stop();
      log(
        `restarted and finished: ${acked.attempts.size + acked.signatures.size} writes acknowledged in all, ${answered} checks answered (${answeredAfterRestart} after the restart), ${refused} attempts refused while the server was down`,
      );

      const problems = await invariants(sql, database.url, {
        attempts: [...acked.attempts],
        signatures: acked.signatures,
        answered,
        expectedAttempts: attempts.length,
        expectedSignatures: signings.length,
      });
      await sql.end({ timeout: 5 });
      for (const p of problems) console.error(`[fault] violated: ${p}`);
      log(problems.length === 0 ? "every invariant holds" : `${problems.length} invariant(s) violated`);
      return problems.length === 0 ? 0 : 1;
    });
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function invariants(
  sql: postgres.Sql,
  databaseUrl: string,
  run: {
    attempts: string[];
    signatures: Map<string, string>;
    answered: number;
    expectedAttempts: number;
    expectedSignatures: number;
  },
): Promise<string[]> {
  const problems: string[] = [];
  const attempts = await sql<{ id: string; status: string; certificates: number }[]>`
    select a.id, a.status, (select count(*)::int from certifications c where c.attempt_id = a.id) as certificates from quiz_attempts a where a.id = any(${run.attempts}::uuid[])`;
  if (attempts.length !== run.attempts.length)
    problems.push(`${run.attempts.length - attempts.length} acknowledged submissions are missing`);
  for (const a of attempts)
    if (a.status !== "submitted" || a.certificates !== 1)
      problems.push(`attempt ${a.id}: status ${a.status}, ${a.certificates} certificates`);
  const [{ submitted }] = await sql<
    { submitted: number }[]
  >`select count(*)::int as submitted from quiz_attempts where status = 'submitted'`;
  if (submitted !== run.expectedAttempts)
    problems.push(`${submitted} attempts submitted after the retry, expected ${run.expectedAttempts}`);
  const duplicateCertificates =
    await sql`select person_id, course_id, count(*) from certifications group by person_id, course_id having count(*) > 1`;
  if (duplicateCertificates.length) problems.push(`${duplicateCertificates.length} people have duplicate certificates`);

  const signatures = await sql<
    { id: string; person_id: string; pdf_enc: string | null; pdf_sha256: string | null }[]
  >`select id, person_id, pdf_enc, pdf_sha256 from signatures where outcome = 'signed'`;
  if (signatures.length !== run.expectedSignatures)
    problems.push(`${signatures.length} signatures after the retry, expected ${run.expectedSignatures}`);
  const perPerson = new Map<string, number>();
  for (const s of signatures) perPerson.set(s.person_id, (perPerson.get(s.person_id) ?? 0) + 1);
  const duplicated = [...perPerson.values()].filter((n) => n > 1).length;
  if (duplicated) problems.push(`${duplicated} people signed the same agreement more than once`);
  const ids = new Set(signatures.map((s) => s.id));
  for (const [ceremonyId, signatureId] of run.signatures)
    if (!ids.has(signatureId))
      problems.push(`acknowledged signature ${signatureId} (ceremony ${ceremonyId}) is missing`);
  // Decrypted and checked with this process's key: the same development key file as the app's (DATA_DIR).
  const handle = await openDatabase({ url: databaseUrl });
  try {
    for (const s of signatures) {
      if (!s.pdf_enc) {
        problems.push(`signature ${s.id} has no stored PDF`);
        continue;
      }
      const pdf = decryptBytes(s.pdf_enc, `signature:${s.id}`);
      const check = verifySealedPdf(pdf);
      if (!check.signed || !check.intact || !check.coversWholeDocument)
        problems.push(`signature ${s.id}: the sealed PDF does not verify`);
      if (sha256Hex(pdf) !== s.pdf_sha256)
        problems.push(`signature ${s.id}: the PDF's SHA-256 differs from the one recorded`);
    }
    const chain = await verifyAuditChain(handle.db);
    if (!chain.ok) problems.push(`audit chain: ${JSON.stringify(chain)}`);
  } finally {
    await handle.close();
  }
  const [{ logged }] = await sql<{ logged: number }[]>`select count(*)::int as logged from access_decisions`;
  if (logged < run.answered)
    problems.push(`${run.answered} checks were answered but only ${logged} decisions were logged`);
  if (run.answered < CHECKS) problems.push(`only ${run.answered} of ${CHECKS} checks were answered`);
  return problems;
}
