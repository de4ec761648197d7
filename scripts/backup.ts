import { writeFileSync } from "node:fs";

import { createBackup } from "@/lib/backup/backup";
import { sha256Hex } from "@/lib/crypto/hash";

import { getHandle, runCli } from "./lib/cli";

/** npm run backup -- --out FILE */
await runCli(async () => {
  const i = process.argv.indexOf("--out");
  const out = i > 0 ? process.argv[i + 1] : undefined;
  if (!out) {
    console.error("Usage: npm run backup -- --out FILE");
    return 2;
  }
  const { db } = await getHandle();
  const { file, tables } = await createBackup(db);
  writeFileSync(out, file, { mode: 0o600 });
  const total = Object.values(tables).reduce((a, b) => a + b, 0);
  console.log(
    `Backup written to ${out}: ${total} rows in ${Object.keys(tables).length} tables, ${file.length} bytes, sha256 ${sha256Hex(file)}.`,
  );
});
