import { createWriteStream, rmSync } from "node:fs";

import { writeBackup } from "@/lib/backup/backup";

import { getHandle, runCli } from "./lib/cli";

/** npm run backup -- --out FILE : streamed to the file, a page of rows at a time. */
await runCli(async () => {
  const i = process.argv.indexOf("--out");
  const out = i > 0 ? process.argv[i + 1] : undefined;
  if (!out) {
    console.error("Usage: npm run backup -- --out FILE");
    return 2;
  }
  const { db } = await getHandle();
  let written;
  try {
    written = await writeBackup(db, createWriteStream(out, { mode: 0o600 }));
  } catch (error) {
    // A file cut short would be refused at restore anyway; do not leave it looking like a backup.
    rmSync(out, { force: true });
    throw error;
  }
  const { tables, bytes, sha256 } = written;
  const total = Object.values(tables).reduce((a, b) => a + b, 0);
  console.log(
    `Backup written to ${out}: ${total} rows in ${Object.keys(tables).length} tables, ${bytes} bytes, sha256 ${sha256}.`,
  );
});
