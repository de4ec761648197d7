import { rotateEncryptionKeys } from "@/lib/crypto/rotate-keys";

import { getHandle, runCli } from "./lib/cli";

/**
 * Key rotation: put the new key in DATA_ENCRYPTION_KEY and the old one in
 * DATA_ENCRYPTION_OLD_KEYS, restart the app, then run this. When it reports
 * every column done, the old key can be removed.
 */
await runCli(async () => {
  const { db } = await getHandle();
  const report = await rotateEncryptionKeys(db, {
    onProgress: (column, done) => process.stdout.write(`\r${column}: ${done} re-encrypted`),
  });
  process.stdout.write("\n");
  for (const [column, count] of Object.entries(report.columns)) console.log(`${column.padEnd(34)} ${count}`);
  console.log(`All encrypted values are now under key ${report.keyId}.`);
});
