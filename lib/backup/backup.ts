import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";

import { count } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";

import type { Executor } from "@/db/client";
import { courseReleases, people } from "@/db/schema";
import { dataKeyById, keyIdOf } from "@/lib/crypto/encryption";
import { env } from "@/lib/env";

import { insertRestoredRows, linkManagers } from "./restore-rows";
import { BACKUP_TABLES, checksum, readTable, resetSequences, tableChecksums, tableName } from "./tables";

/**
 * Logical backups: every table as JSON, gzip-compressed, encrypted and
 * authenticated with AES-256-GCM under a key derived from the data key.
 * Driver-independent, so a PGlite backup restores into PostgreSQL and back.
 *
 * File: "CLEARANCE-BACKUP 1\n" + header JSON line + ciphertext + 16-byte tag.
 */
const MAGIC = "CLEARANCE-BACKUP 1\n";

export class BackupError extends Error {}

type Header = { createdAt: string; keyId: string; iv: string; salt: string };
type Payload = { createdAt: string; tables: Record<string, { sha256: string; rows: unknown[] }> };

const deriveBackupKey = (dataKey: Buffer, salt: Buffer) =>
  Buffer.from(hkdfSync("sha256", dataKey, salt, "clearance-backup-v1", 32));

/** New backups: under the current data key. */
function backupKey(salt: Buffer): { key: Buffer; keyId: string } {
  const dataKey = Buffer.from(env().DATA_ENCRYPTION_KEY, "base64");
  return { key: deriveBackupKey(dataKey, salt), keyId: keyIdOf(dataKey) };
}

/** Restores: under the data key the header names, current or kept in DATA_ENCRYPTION_OLD_KEYS since a rotation. */
function restoreKey(header: Header): Buffer {
  const dataKey = dataKeyById(header.keyId);
  if (!dataKey) {
    throw new BackupError(
      `This backup was made with data key ${header.keyId}, which is not configured. Put that key in DATA_ENCRYPTION_OLD_KEYS (or DATA_ENCRYPTION_KEY) to restore it; the current key is ${keyIdOf(Buffer.from(env().DATA_ENCRYPTION_KEY, "base64"))}.`,
    );
  }
  return deriveBackupKey(dataKey, Buffer.from(header.salt, "base64"));
}

// Dates survive the round trip as tagged values; everything else is plain JSON.
const encode = (rows: Record<string, unknown>[]) =>
  rows.map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? { $date: v.toISOString() } : v])),
  );
const decode = (rows: Record<string, unknown>[]) =>
  rows.map((r) =>
    Object.fromEntries(
      Object.entries(r).map(([k, v]) => [
        k,
        v && typeof v === "object" && "$date" in (v as object) ? new Date((v as { $date: string }).$date) : v,
      ]),
    ),
  );

export async function createBackup(
  db: Executor,
  now = new Date(),
): Promise<{ file: Buffer; tables: Record<string, number> }> {
  const payload: Payload = { createdAt: now.toISOString(), tables: {} };
  const counts: Record<string, number> = {};
  for (const table of BACKUP_TABLES) {
    const rows = await readTable(db, table);
    payload.tables[tableName(table)] = { sha256: checksum(rows), rows: encode(rows) };
    counts[tableName(table)] = rows.length;
  }
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const { key, keyId } = backupKey(salt);
  const header: Header = {
    createdAt: payload.createdAt,
    keyId,
    iv: iv.toString("base64"),
    salt: salt.toString("base64"),
  };
  const headerLine = Buffer.from(`${JSON.stringify(header)}\n`);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.concat([Buffer.from(MAGIC), headerLine]));
  const body = Buffer.concat([cipher.update(gzipSync(Buffer.from(JSON.stringify(payload)))), cipher.final()]);
  return { file: Buffer.concat([Buffer.from(MAGIC), headerLine, body, cipher.getAuthTag()]), tables: counts };
}

export function readBackup(file: Buffer): Payload {
  if (file.length < MAGIC.length + 20 || file.subarray(0, MAGIC.length).toString() !== MAGIC)
    throw new BackupError("Not a Clearance backup file.");
  const headerEnd = file.indexOf(0x0a, MAGIC.length);
  if (headerEnd < 0) throw new BackupError("The backup file is truncated.");
  let header: Header;
  try {
    header = JSON.parse(file.subarray(MAGIC.length, headerEnd).toString());
  } catch {
    throw new BackupError("The backup header is damaged.");
  }
  if (!header || [header.keyId, header.iv, header.salt].some((v) => typeof v !== "string"))
    throw new BackupError("The backup header is damaged.");
  const key = restoreKey(header);
  const body = file.subarray(headerEnd + 1, file.length - 16);
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(header.iv, "base64"));
  decipher.setAAD(file.subarray(0, headerEnd + 1));
  decipher.setAuthTag(file.subarray(file.length - 16));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new BackupError("The backup file was modified or truncated: its integrity check failed.");
  }
  const payload = JSON.parse(gunzipSync(plain).toString()) as Payload;
  for (const [name, t] of Object.entries(payload.tables)) {
    if (checksum(decode(t.rows as Record<string, unknown>[])) !== t.sha256)
      throw new BackupError(`Table ${name} does not match its checksum.`);
  }
  return payload;
}

// Every start records the course versions it loaded (lib/training/course-releases.ts); the backup's releases replace them.
const RECORDED_AT_START: PgTable[] = [courseReleases];

async function isEmpty(db: Executor): Promise<boolean> {
  for (const table of BACKUP_TABLES.filter((t) => !RECORDED_AT_START.includes(t))) {
    const [row] = await db.select({ n: count() }).from(table);
    if (Number(row.n) > 0) return false;
  }
  return true;
}

/** Restores into a migrated, empty database; refuses anything else. Returns the checksums after restore. */
export async function restoreBackup(db: Executor, file: Buffer) {
  const payload = readBackup(file);
  if (!(await isEmpty(db)))
    throw new BackupError("The target database is not empty. Restore only into a freshly migrated, empty database.");
  await db.transaction(async (tx) => {
    for (const table of RECORDED_AT_START) await tx.delete(table);
    for (const table of BACKUP_TABLES) {
      const rows = decode((payload.tables[tableName(table)]?.rows ?? []) as Record<string, unknown>[]);
      const isPeople = table === (people as unknown as PgTable);
      // People point at their managers: insert without them first, then link.
      const first = isPeople ? rows.map((r) => ({ ...r, managerId: null })) : rows;
      await insertRestoredRows(tx, table, first);
      if (isPeople) await linkManagers(tx, rows);
    }
    await resetSequences(tx);
  });
  const after = await tableChecksums(db);
  for (const [name, t] of Object.entries(payload.tables)) {
    if (after[name]?.sha256 !== t.sha256) throw new BackupError(`Table ${name} differs after restore.`);
  }
  return after;
}
