import { readFileSync } from "node:fs";

import { trustedCertificates } from "@/lib/audit/checkpoints";
import {
  checkAgainstCheckpointFile,
  checkAuditIntegrity,
  latestCheckpoint,
  type IntegrityReport,
} from "@/lib/audit/integrity";
import { eventsInWords } from "@/lib/audit/verify";

import { getHandle, runCli } from "./lib/cli";

/**
 * npm run audit:verify [-- --checkpoint FILE] [--cert PEM]
 * Verifies every audit event from the first, against the newest checkpoint in
 * the database or against a checkpoint file kept elsewhere. --cert also trusts
 * a sealing certificate that has since been replaced.
 */
const option = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};

await runCli(async () => {
  const checkpointPath = option("--checkpoint");
  const certPath = option("--cert");
  if ((process.argv.includes("--checkpoint") && !checkpointPath) || (process.argv.includes("--cert") && !certPath)) {
    console.error("Usage: npm run audit:verify [-- --checkpoint FILE] [--cert CERTIFICATE.pem]");
    return 2;
  }
  const { db } = await getHandle();
  const trusted = trustedCertificates(certPath ? [readFileSync(certPath, "utf8")] : []);
  const report = checkpointPath
    ? await checkAgainstCheckpointFile(db, readFileSync(checkpointPath, "utf8"), trusted)
    : await checkAuditIntegrity(db, { full: true, checkpoint: await latestCheckpoint(db, trusted) });
  print(report, checkpointPath ? `the checkpoint in ${checkpointPath}` : "the newest checkpoint in the database");
  return report.ok ? 0 : 1;
});

function print(report: IntegrityReport, source: string) {
  const c = report.checkpoint;
  const against = c
    ? `; ${source} (${c.createdAt}, ${eventsInWords(c.eventCount)} through #${c.headId}) holds`
    : "; no checkpoint to check against";
  if (report.ok) {
    console.log(`OK: ${eventsInWords(report.events)} verified${against}.`);
    return;
  }
  console.error("FAILED: the audit log does not verify.");
  for (const problem of report.problems) console.error(`  - ${problem}`);
}
