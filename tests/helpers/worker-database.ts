import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { inject } from "vitest";

import { openDatabase } from "@/db/client";

import { adminUrl } from "./database-url";
import { openTestDatabase } from "./test-database";

export type WorkerDatabase = { childEnv: Record<string, string>; open: () => ReturnType<typeof openDatabase> };

/**
 * A database for `npm run worker` started as a real process by a test: a
 * PostgreSQL database of its own with TEST_DATABASE_URL, else PGlite on disk.
 * `cleanups` gets what removes it.
 */
export async function workerDatabase(cleanups: (() => Promise<void> | void)[]): Promise<WorkerDatabase> {
  if (process.env.TEST_DATABASE_URL) {
    const handle = await openTestDatabase();
    cleanups.push(() => handle.close());
    const url = adminUrl(process.env.TEST_DATABASE_URL, handle.name);
    return { childEnv: { DATABASE_URL: url }, open: async () => ({ ...handle, close: async () => undefined }) };
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "clearance-worker-"));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  // The migrated snapshot, unpacked into the directory the worker will open (faster than creating and migrating one).
  const { PGlite } = await import("@electric-sql/pglite");
  const seed = new PGlite(path.join(dataDir, "pglite"), {
    loadDataDir: new Blob([readFileSync(inject("pgliteSnapshot"))]),
  });
  await seed.waitReady;
  await seed.close();
  return {
    childEnv: { DATABASE_URL: "", DATA_DIR: dataDir },
    open: () => openDatabase({ pgliteDir: path.join(dataDir, "pglite") }),
  };
}
