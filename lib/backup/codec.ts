import { hkdfSync } from "node:crypto";

import { count } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";

import type { Executor } from "@/db/client";
import { courseReleases } from "@/db/schema";
import { dataKeyById, keyIdOf } from "@/lib/crypto/encryption";
import { env } from "@/lib/env";

import { BACKUP_TABLES } from "./tables";

/** A backup that cannot be restored, with a reason an operator can act on. */
export class BackupError extends Error {}

/** What every backup file's header line carries: when, under which data key, and the salt its backup key is derived with. */
export type KeyHeader = { createdAt: string; keyId: string; salt: string };

const deriveBackupKey = (dataKey: Buffer, salt: Buffer) =>
  Buffer.from(hkdfSync("sha256", dataKey, salt, "clearance-backup-v1", 32));

/** New backups: under the current data key. */
export function backupKey(salt: Buffer): { key: Buffer; keyId: string } {
  const dataKey = Buffer.from(env().DATA_ENCRYPTION_KEY, "base64");
  return { key: deriveBackupKey(dataKey, salt), keyId: keyIdOf(dataKey) };
}

/** Restores: under the data key the header names, current or kept in DATA_ENCRYPTION_OLD_KEYS since a rotation. */
export function restoreKey(header: KeyHeader): Buffer {
  const dataKey = dataKeyById(header.keyId);
  if (!dataKey) {
    throw new BackupError(
      `This backup was made with data key ${header.keyId}, which is not configured. Put that key in DATA_ENCRYPTION_OLD_KEYS (or DATA_ENCRYPTION_KEY) to restore it; the current key is ${keyIdOf(Buffer.from(env().DATA_ENCRYPTION_KEY, "base64"))}.`,
    );
  }
  return deriveBackupKey(dataKey, Buffer.from(header.salt, "base64"));
}

// Dates survive the round trip as tagged values; everything else is plain JSON. Plain loops: these run once a row.
// A key is always defined as an own property, as Object.fromEntries would: "__proto__" never sets a prototype.
const put = (out: Record<string, unknown>, k: string, v: unknown) => {
  if (k === "__proto__")
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  else out[k] = v;
};

export function encodeRow(r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(r)) {
    const v = r[k];
    put(out, k, v instanceof Date ? { $date: v.toISOString() } : v);
  }
  return out;
}

export function decodeRow(r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(r)) {
    const v = r[k];
    put(out, k, v && typeof v === "object" && "$date" in v ? new Date((v as { $date: string }).$date) : v);
  }
  return out;
}

// Every start records the course versions it loaded (lib/training/course-releases.ts); the backup's releases replace them.
export const RECORDED_AT_START: PgTable[] = [courseReleases];

/** Whether the database holds no data yet (the course versions a start records aside). */
export async function isEmpty(db: Executor): Promise<boolean> {
  for (const table of BACKUP_TABLES.filter((t) => !RECORDED_AT_START.includes(t))) {
    const [row] = await db.select({ n: count() }).from(table);
    if (Number(row.n) > 0) return false;
  }
  return true;
}

export const NOT_EMPTY = "The target database is not empty. Restore only into a freshly migrated, empty database.";
export const MODIFIED = "The backup file was modified or truncated: its integrity check failed.";
