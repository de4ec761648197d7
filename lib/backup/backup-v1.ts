import { createDecipheriv } from "node:crypto";
import { gunzipSync } from "node:zlib";

import type { PgTable } from "drizzle-orm/pg-core";

import type { Executor } from "@/db/client";
import { people } from "@/db/schema";

import {
  BackupError,
  decodeRow,
  isEmpty,
  MODIFIED,
  NOT_EMPTY,
  RECORDED_AT_START,
  restoreKey,
  type KeyHeader,
} from "./codec";
import { insertRestoredRows, linkManagers } from "./restore-rows";
import { BACKUP_TABLES, checksum, resetSequences, tableChecksums, tableName } from "./tables";

/**
 * Version 1 backups, which Clearance no longer writes but still restores: the whole payload as
 * one JSON object, gzip-compressed, encrypted and authenticated in one AES-256-GCM pass.
 *
 * File: "CLEARANCE-BACKUP 1\n" + header JSON line + ciphertext + 16-byte tag.
 */
export const MAGIC_V1 = "CLEARANCE-BACKUP 1\n";

type Header = KeyHeader & { iv: string };
type Payload = { createdAt: string; tables: Record<string, { sha256: string; rows: unknown[] }> };

export function readBackupV1(file: Buffer): Payload {
  if (file.length < MAGIC_V1.length + 20 || file.subarray(0, MAGIC_V1.length).toString() !== MAGIC_V1)
    throw new BackupError("Not a Clearance backup file.");
  const headerEnd = file.indexOf(0x0a, MAGIC_V1.length);
  if (headerEnd < 0) throw new BackupError("The backup file is truncated.");
  let header: Header;
  try {
    header = JSON.parse(file.subarray(MAGIC_V1.length, headerEnd).toString());
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
    throw new BackupError(MODIFIED);
  }
  const payload = JSON.parse(gunzipSync(plain).toString()) as Payload;
  for (const [name, t] of Object.entries(payload.tables)) {
    if (checksum((t.rows as Record<string, unknown>[]).map(decodeRow)) !== t.sha256)
      throw new BackupError(`Table ${name} does not match its checksum.`);
  }
  return payload;
}

/** Restores a version 1 file into a migrated, empty database; refuses anything else. Returns the checksums after restore. */
export async function restoreBackupV1(db: Executor, file: Buffer) {
  const payload = readBackupV1(file);
  if (!(await isEmpty(db))) throw new BackupError(NOT_EMPTY);
  await db.transaction(async (tx) => {
    for (const table of RECORDED_AT_START) await tx.delete(table);
    for (const table of BACKUP_TABLES) {
      const rows = ((payload.tables[tableName(table)]?.rows ?? []) as Record<string, unknown>[]).map(decodeRow);
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
