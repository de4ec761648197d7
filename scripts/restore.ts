import { createReadStream } from "node:fs";

import { migrateDatabase } from "@/db/client";
import { checkAuditIntegrity, latestCheckpoint } from "@/lib/audit/integrity";
import { BackupError, restoreBackupFrom } from "@/lib/backup/backup";

import { getHandle, runCli } from "./lib/cli";

/** npm run restore -- FILE : into an empty database only, read from the file as a stream. */
await runCli(async () => {
  const path = process.argv.slice(2).find((a) => !a.startsWith("-"));
  if (!path) {
    console.error("Usage: npm run restore -- FILE");
    return 2;
  }
  const handle = await getHandle();
  await migrateDatabase(handle);
  try {
    const tables = await restoreBackupFrom(handle.db, createReadStream(path));
    const total = Object.values(tables).reduce((a, t) => a + t.rows, 0);
    // The whole chain, with the chain keys configured here, against the newest restored checkpoint.
    const chain = await checkAuditIntegrity(handle.db, { full: true, checkpoint: await latestCheckpoint(handle.db) });
    console.log(
      `Restored ${total} rows; every table matches its checksum. Audit chain: ${chain.ok ? `OK (${chain.events} events)` : "BROKEN"}.`,
    );
    for (const problem of chain.problems) console.error(`  - ${problem}`);
    return chain.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof BackupError) {
      console.error(`Refused: ${error.message}`);
      return 1;
    }
    throw error;
  }
});
