import { createHash, randomUUID } from "node:crypto";
import { closeSync, openSync, renameSync, writeSync } from "node:fs";
import { userInfo } from "node:os";

import { recordAudit } from "@/lib/audit/record";
import { writeEvidencePack } from "@/lib/evidence/pack";
import { packRequestSchema } from "@/lib/evidence/packs";

import { getHandle, runCli } from "./lib/cli";

const USAGE =
  "Usage: npm run evidence -- --from YYYY-MM-DD --to YYYY-MM-DD [--department ID] [--overdue-days N] [--out FILE]";

const option = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};

/**
 * npm run evidence -- --from 2026-01-01 --to 2026-06-30 [--department support] [--out pack.zip]
 * Writes the same evidence pack as the app's /audit/evidence page, straight
 * to a file, and records it in the audit log.
 */
await runCli(async () => {
  const parsed = packRequestSchema.safeParse({
    from: option("--from"),
    to: option("--to"),
    department: option("--department"),
    overdueDays: option("--overdue-days"),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    console.error(`--${String(issue.path[0] ?? "from")}: ${issue.message}\n${USAGE}`);
    return 2;
  }
  const { from, to, department, overdueDays } = parsed.data;
  const out = option("--out") ?? `evidence-${from}-to-${to}${department ? `-${department}` : ""}.zip`;
  const { db } = await getHandle();
  const label = `command line (${userInfo().username})`;
  const hash = createHash("sha256");
  const partial = `${out}.${process.pid}.partial`;
  const fd = openSync(partial, "w", 0o600);
  let result;
  try {
    result = await writeEvidencePack(
      db,
      {
        id: randomUUID(),
        periodFrom: from,
        periodTo: to,
        departmentId: department ?? null,
        overdueDays,
        generatedBy: { id: null, label },
        generatedAt: new Date(),
      },
      (chunk) => {
        hash.update(chunk);
        writeSync(fd, chunk);
      },
    );
  } finally {
    closeSync(fd);
  }
  renameSync(partial, out);
  const sha256 = hash.digest("hex");
  await recordAudit(
    db,
    { actorId: null, actorLabel: label },
    {
      action: "evidence.generated",
      data: {
        from,
        to,
        department: department ?? null,
        overdueDays,
        files: result.files.length + 2,
        bytes: result.bytes,
        sha256,
        via: "cli",
      },
    },
  );
  console.log(
    `Evidence pack written to ${out}: ${result.files.length + 2} files, ${result.bytes} bytes, sha256 ${sha256}.`,
  );
});
