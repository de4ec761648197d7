import { randomBytes } from "node:crypto";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";

import { PgTransaction, type PgTable } from "drizzle-orm/pg-core";

import type { Executor } from "@/db/client";
import { people } from "@/db/schema";

import { MAGIC_V1, restoreBackupV1 } from "./backup-v1";
import {
  BackupError,
  backupKey,
  decodeRow,
  encodeRow,
  isEmpty,
  MODIFIED,
  NOT_EMPTY,
  RECORDED_AT_START,
  restoreKey,
  type KeyHeader,
} from "./codec";
import { ByteReader, FRAME_SIZE, FrameSealer, openFrames } from "./frames";
import { insertRestoredRows, linkStagedManagers, stageManagerLinks, startManagerLinks } from "./restore-rows";
import { advanceAccessRevision, restoreConstraints, setAsideConstraints } from "./set-aside";
import { BACKUP_TABLES, PAGE_SIZE, readPages, resetSequences, tableChecksums, TableHash, tableName } from "./tables";

export { BackupError } from "./codec";

/**
 * Logical backups: every table as a stream of JSON lines, gzip-compressed, encrypted and
 * authenticated in frames with AES-256-GCM under a key derived from the data key.
 * Driver-independent, so a PGlite backup restores into PostgreSQL and back. Written and read as
 * streams, a page of rows and a frame at a time, so memory stays flat however large the database.
 *
 * File: "CLEARANCE-BACKUP 2\n" + header JSON line + frames (lib/backup/frames.ts).
 * Plaintext, one JSON record a line, tables in BACKUP_TABLES order:
 *   {"table":"people"}  {"row":{...}} …  {"end":"people","rows":N,"sha256":"…"}  …  {"done":true,"tables":T}
 * A table's sha256 is `checksum(rows)` of the whole table (lib/backup/tables.ts).
 *
 * Version 1 files ("CLEARANCE-BACKUP 1\n", lib/backup/backup-v1.ts) still restore.
 */
const MAGIC = "CLEARANCE-BACKUP 2\n";

type Line =
  | { table: string }
  | { row: Record<string, unknown> }
  | { end: string; rows: number; sha256: string }
  | { done: true; tables: number };

export type BackupOptions = { now?: Date; pageSize?: number; frameSize?: number };
export type BackupSummary = { tables: Record<string, number>; bytes: number; sha256: string };

const line = (record: Line) => `${JSON.stringify(record)}\n`;

/** The plaintext records of every table, read a page at a time. */
async function* records(db: Executor, counts: Record<string, number>, pageSize: number): AsyncGenerator<Buffer> {
  for (const table of BACKUP_TABLES) {
    const name = tableName(table);
    yield Buffer.from(line({ table: name }));
    const hash = new TableHash();
    for await (const page of readPages(db, table, pageSize)) {
      let out = "";
      for (const row of page) {
        hash.add(row);
        out += line({ row: encodeRow(row) });
      }
      yield Buffer.from(out);
    }
    counts[name] = hash.rows;
    yield Buffer.from(line({ end: name, rows: hash.rows, sha256: hash.digest() }));
  }
  yield Buffer.from(line({ done: true, tables: BACKUP_TABLES.length }));
}

/** Reads in one snapshot, so the tables agree with each other even while the app keeps writing. */
async function inSnapshot<T>(db: Executor, work: (db: Executor) => Promise<T>): Promise<T> {
  if (db instanceof PgTransaction) return work(db);
  return db.transaction(work, { isolationLevel: "repeatable read", accessMode: "read only" });
}

/** Writes a backup of every table to `destination` (ended when done). */
export async function writeBackup(
  db: Executor,
  destination: NodeJS.WritableStream,
  { now = new Date(), pageSize = PAGE_SIZE, frameSize = FRAME_SIZE }: BackupOptions = {},
): Promise<BackupSummary> {
  const salt = randomBytes(16);
  const { key, keyId } = backupKey(salt);
  const header: KeyHeader = { createdAt: now.toISOString(), keyId, salt: salt.toString("base64") };
  const prefix = Buffer.from(`${MAGIC}${JSON.stringify(header)}\n`);
  const sealer = new FrameSealer(key, prefix, frameSize);
  const tables: Record<string, number> = {};
  await inSnapshot(db, (snapshot) =>
    pipeline(
      Readable.from(records(snapshot, tables, pageSize), { highWaterMark: 1 }),
      createGzip(),
      sealer,
      destination,
    ),
  );
  return { tables, bytes: sealer.bytes, sha256: sealer.sha256 };
}

/** A backup as one Buffer: for tests and small databases; large ones go to a file with writeBackup. */
export async function createBackup(
  db: Executor,
  options: BackupOptions = {},
): Promise<{ file: Buffer; tables: Record<string, number> }> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  const { tables } = await writeBackup(db, sink, options);
  return { file: Buffer.concat(chunks), tables };
}

/** Restores a backup held in memory; see restoreBackupFrom. */
export async function restoreBackup(db: Executor, file: Buffer) {
  return restoreBackupFrom(db, Readable.from([file]));
}

/**
 * Restores a backup read from `source` into a migrated, empty database; refuses anything else.
 * Rows are inserted as they arrive, with keys, references and indexes set aside until every
 * table is in (lib/backup/set-aside.ts), all in one transaction: a table that does not match its
 * checksum, or a frame that fails authentication, rolls everything back. Returns the checksums
 * after restore.
 */
export async function restoreBackupFrom(db: Executor, source: AsyncIterable<unknown>) {
  const input = new ByteReader(source);
  try {
    const magic = await input.read(MAGIC.length);
    if (magic.toString("latin1") === MAGIC_V1)
      return await restoreBackupV1(db, Buffer.concat([magic, await input.rest()]));
    if (magic.toString("latin1") !== MAGIC) throw new BackupError("Not a Clearance backup file.");
    const headerLine = await input.readLine(4096);
    if (!headerLine) throw new BackupError("The backup header is damaged.");
    let header: KeyHeader;
    try {
      header = JSON.parse(headerLine.toString());
    } catch {
      throw new BackupError("The backup header is damaged.");
    }
    if (!header || [header.keyId, header.salt].some((v) => typeof v !== "string"))
      throw new BackupError("The backup header is damaged.");
    const key = restoreKey(header);
    if (!(await isEmpty(db))) throw new BackupError(NOT_EMPTY);

    const prefix = Buffer.concat([magic, headerLine]);
    const expected: Record<string, string> = {};
    await db.transaction(async (tx) => {
      // Before any row changes: a table with trigger events pending cannot be altered.
      const setAside = await setAsideConstraints(tx, BACKUP_TABLES.map(tableName));
      for (const table of RECORDED_AT_START) await tx.delete(table);
      await restoreRecords(tx, plaintextLines(openFrames(input, key, prefix)), expected);
      await restoreConstraints(tx, setAside);
      // Every decision may differ from the moment before: what the revision triggers do once a transaction.
      await advanceAccessRevision(tx);
      await resetSequences(tx);
    });
    const after = await tableChecksums(db);
    for (const [name, sha256] of Object.entries(expected)) {
      if (after[name]?.sha256 !== sha256) throw new BackupError(`Table ${name} differs after restore.`);
    }
    return after;
  } finally {
    await input.close();
  }
}

/** The decompressed plaintext of the frames, a line at a time. */
async function* plaintextLines(frames: AsyncGenerator<Buffer>): AsyncGenerator<string> {
  const plain = Readable.from(frames, { highWaterMark: 1 });
  const gunzip = createGunzip();
  plain.on("error", (error) => gunzip.destroy(error));
  plain.pipe(gunzip);
  let rest: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      let data = rest.length ? Buffer.concat([rest, chunk]) : chunk;
      for (let end = data.indexOf(0x0a); end >= 0; end = data.indexOf(0x0a)) {
        yield data.subarray(0, end).toString();
        data = data.subarray(end + 1);
      }
      rest = data;
    }
  } finally {
    plain.destroy();
    gunzip.destroy();
  }
  if (rest.length) throw new BackupError(MODIFIED);
}

/**
 * Inserts the records' rows in batches, table by table, checking each table's count and checksum at its end.
 * One batch is inserted while the next is read and decoded, never more: the database and the
 * reader work at the same time, and memory holds two batches at most.
 */
async function restoreRecords(tx: Executor, input: AsyncIterable<string>, expected: Record<string, string>) {
  const order = new Map(BACKUP_TABLES.map((t, i) => [tableName(t), i]));
  let position = -1;
  let current: { table: PgTable; name: string; hash: TableHash; batch: Record<string, unknown>[] } | undefined;
  let done = false;
  let inserting: Promise<void> = Promise.resolve();
  const insert = async (table: PgTable, batch: Record<string, unknown>[]) => {
    const isPeople = table === (people as unknown as PgTable);
    // People point at their managers: insert without them first, link once every person is in.
    if (isPeople) await stageManagerLinks(tx, batch);
    await insertRestoredRows(tx, table, isPeople ? batch.map((r) => ({ ...r, managerId: null })) : batch);
  };
  const flush = async () => {
    if (!current?.batch.length) return;
    const { table, batch } = current;
    current.batch = [];
    await inserting;
    inserting = insert(table, batch);
    // Its failure is raised where it is awaited: before the next batch or at the table's end.
    inserting.catch(() => {});
  };
  try {
    await readRecords();
  } finally {
    // Nothing may still be running on the transaction when it commits or rolls back.
    await inserting.catch(() => {});
  }
  await inserting;

  async function readRecords() {
    for await (const text of input) {
      let record: Line;
      try {
        record = JSON.parse(text) as Line;
      } catch {
        throw new BackupError(MODIFIED);
      }
      if (done) throw new BackupError(MODIFIED);
      if ("row" in record) {
        if (!current) throw new BackupError(MODIFIED);
        const row = decodeRow(record.row);
        current.hash.add(row);
        current.batch.push(row);
        if (current.batch.length >= PAGE_SIZE) await flush();
      } else if ("table" in record) {
        const index = order.get(record.table);
        // Tables come once each, parents before children.
        if (current || index === undefined || index <= position) throw new BackupError(MODIFIED);
        position = index;
        if (BACKUP_TABLES[index] === (people as unknown as PgTable)) await startManagerLinks(tx);
        current = { table: BACKUP_TABLES[index], name: record.table, hash: new TableHash(), batch: [] };
      } else if ("end" in record) {
        if (!current || record.end !== current.name) throw new BackupError(MODIFIED);
        await flush();
        await inserting;
        if (current.hash.rows !== record.rows || current.hash.digest() !== record.sha256)
          throw new BackupError(`Table ${current.name} does not match its checksum.`);
        if (current.table === (people as unknown as PgTable)) await linkStagedManagers(tx);
        expected[current.name] = record.sha256;
        current = undefined;
      } else if ("done" in record) {
        if (current || record.tables !== Object.keys(expected).length) throw new BackupError(MODIFIED);
        done = true;
      } else {
        throw new BackupError(MODIFIED);
      }
    }
    if (!done) throw new BackupError(MODIFIED);
  }
}
