import { createCipheriv, hkdfSync, randomBytes } from "node:crypto";
import { Readable, Writable } from "node:stream";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { gunzipSync, gzipSync } from "node:zlib";

import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";

import { accessDecisions, people, rateLimits } from "@/db/schema";
import { BackupError, createBackup, restoreBackup, restoreBackupFrom, writeBackup } from "@/lib/backup/backup";
import { decodeRow, restoreKey } from "@/lib/backup/codec";
import { ByteReader, FrameSealer, openFrames } from "@/lib/backup/frames";
import {
  BACKUP_TABLES,
  checksum,
  readPages,
  readTable,
  tableChecksums,
  TableHash,
  tableName,
} from "@/lib/backup/tables";
import { keyIdOf } from "@/lib/crypto/encryption";
import { sha256Hex } from "@/lib/crypto/hash";

import { openTestDatabase, rowsOf, withTestDatabase } from "../helpers/test-database";

const source = withTestDatabase();
type Db = ReturnType<typeof source.db>;

const PEOPLE = 4_500;
const RATE_LIMITS = 5_000;
const DECISIONS = 50_000;

/** People with managers that arrive before and after them, composite keys with microseconds, and a large serial-id table. */
async function fill(db: Db) {
  await db.execute(sql`insert into departments (id, name) values ('support', 'Customer Support')`);
  // Person g reports to person g / 2: uuids from md5 put managers on both sides of their reports in key order.
  await db.execute(sql`
    insert into people (id, email, name, department_id, manager_id)
    select md5('p' || g)::uuid, 'p' || g || '@stream.example', 'Person ' || g, 'support',
           case when g > 1 then md5('p' || (g / 2))::uuid end
      from generate_series(1, ${PEOPLE}) g`);
  // Several windows a key, each with microseconds JavaScript dates cannot hold.
  await db.execute(sql`
    insert into rate_limits (key, window_start, count)
    select 'client:' || (g % 7), timestamptz '2030-01-01 00:00:00+00' + g * interval '1 millisecond' + interval '417 microseconds', g
      from generate_series(1, ${RATE_LIMITS}) g`);
  await db.execute(sql`
    insert into access_decisions (at, subject, role_id, allow, reasons)
    select timestamptz '2030-01-01 00:00:00+00' + g * interval '1 second', 'p' || g || '@stream.example',
           'support-pii', g % 3 = 0, array['training current', 'agreement signed']
      from generate_series(1, ${DECISIONS}) g`);
}

/** A full garbage collection, so heap figures are live data, not garbage awaiting collection. */
function collector(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

async function emptyTables(db: Db) {
  return Object.entries(await tableChecksums(db)).filter(([, t]) => t.rows > 0);
}

/** Splits a version 2 file into its prefix (magic and header line) and its frames. */
function framesOf(file: Buffer): { prefix: Buffer; frames: Buffer[] } {
  const headerEnd = file.indexOf(0x0a, file.indexOf(0x0a) + 1) + 1;
  const frames: Buffer[] = [];
  for (let at = headerEnd; at < file.length;) {
    const size = 4 + file.readUInt32BE(at) + 16;
    frames.push(file.subarray(at, at + size));
    at += size;
  }
  return { prefix: file.subarray(0, headerEnd), frames };
}

/** The writer of version 1 files as Clearance shipped it: one JSON payload, gzip, one AES-256-GCM pass. */
async function writeBackupV1(db: Db): Promise<Buffer> {
  const payload: { createdAt: string; tables: Record<string, { sha256: string; rows: unknown[] }> } = {
    createdAt: new Date().toISOString(),
    tables: {},
  };
  for (const table of BACKUP_TABLES) {
    const rows = await readTable(db, table);
    const encoded = rows.map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? { $date: v.toISOString() } : v])),
    );
    payload.tables[tableName(table)] = { sha256: checksum(rows), rows: encoded };
  }
  const dataKey = Buffer.from(process.env.DATA_ENCRYPTION_KEY!, "base64");
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = Buffer.from(hkdfSync("sha256", dataKey, salt, "clearance-backup-v1", 32));
  const header = {
    createdAt: payload.createdAt,
    keyId: keyIdOf(dataKey),
    iv: iv.toString("base64"),
    salt: salt.toString("base64"),
  };
  const head = Buffer.from(`CLEARANCE-BACKUP 1\n${JSON.stringify(header)}\n`);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(head);
  const body = Buffer.concat([cipher.update(gzipSync(Buffer.from(JSON.stringify(payload)))), cipher.final()]);
  return Buffer.concat([head, body, cipher.getAuthTag()]);
}

/** Decrypts a version 2 file, lets `edit` change its plaintext, and seals it again under the same key: a file only the key holder could make. */
async function resealed(file: Buffer, edit: (plain: string) => string): Promise<Buffer> {
  const { prefix } = framesOf(file);
  const header = JSON.parse(prefix.subarray(prefix.indexOf(0x0a) + 1).toString());
  const key = restoreKey(header);
  const parts: Buffer[] = [];
  for await (const frame of openFrames(new ByteReader(Readable.from([file.subarray(prefix.length)])), key, prefix))
    parts.push(frame);
  const plain = edit(gunzipSync(Buffer.concat(parts)).toString());
  const sealer = new FrameSealer(key, prefix, 4096);
  const out: Buffer[] = [];
  sealer.on("data", (chunk: Buffer) => out.push(chunk));
  await new Promise<void>((resolve, reject) => sealer.on("end", resolve).on("error", reject).end(gzipSync(plain)));
  return Buffer.concat(out);
}

/** Every key, reference, check, index and trigger (and whether it is on) of the app's tables. */
async function schemaShape(db: Db): Promise<string[]> {
  const rows = rowsOf<{ d: string }>(
    await db.execute(sql`
      select conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) as d
        from pg_constraint where connamespace = current_schema()::regnamespace
      union all
      select indexdef from pg_indexes where schemaname = current_schema()
      union all
      select 'trigger ' || tgrelid::regclass::text || ' ' || tgname || ' ' || tgenabled::text from pg_trigger
       where not tgisinternal and tgrelid::regclass::text not like 'pg_%'
      order by 1`),
  );
  return rows.map((r) => r.d);
}

/** A plaintext edit: the first row of `table` twice, with the table's row count and checksum made to match. */
function withRowTwice(plain: string, table: string): string {
  const lines = plain.split("\n");
  const start = lines.findIndex((l) => l.startsWith("{") && (JSON.parse(l) as { table?: string }).table === table);
  const end = lines.findIndex((l, i) => i > start && (JSON.parse(l) as { end?: string }).end === table);
  lines.splice(start + 2, 0, lines[start + 1]);
  const hash = new TableHash();
  for (const line of lines.slice(start + 1, end + 1))
    hash.add(decodeRow((JSON.parse(line) as { row: Record<string, unknown> }).row));
  lines[end + 1] = JSON.stringify({ ...JSON.parse(lines[end + 1]), rows: hash.rows, sha256: hash.digest() });
  return lines.join("\n");
}

describe("streamed backups", () => {
  beforeAll(() => fill(source.db()), 120_000);

  it(
    "reads tables in pages, round-trips them with their whole-table checksums, and keeps memory flat",
    { timeout: 300_000 },
    async () => {
      const db = source.db();

      // Paging: full pages of 2,000 rows in key order, the last one short.
      const sizes: number[] = [];
      for await (const page of readPages(db, accessDecisions)) sizes.push(page.length);
      expect(sizes.length).toBe(Math.ceil(DECISIONS / 2_000));
      expect(sizes.every((n) => n <= 2_000)).toBe(true);
      // Composite keys whose timestamps carry microseconds: every row once, none repeated.
      let seen = 0;
      for await (const page of readPages(db, rateLimits, 700)) seen += page.length;
      expect(seen).toBe(RATE_LIMITS);

      // The paged checksums are the whole-table checksums.
      const before = await tableChecksums(db);
      for (const table of [people, rateLimits, accessDecisions])
        expect(before[tableName(table)].sha256).toBe(checksum(await readTable(db, table)));
      expect(await tableChecksums(db, 333)).toEqual(before);

      // Memory: the writer holds a page and a frame, not the table. Live heap (after a collection) at every frame
      // written; the file's bytes are buffers outside the heap. A whole access_decisions table in memory is several times the bound.
      const gc = collector();
      gc();
      const baseline = process.memoryUsage().heapUsed;
      let peak = 0;
      const chunks: Buffer[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          chunks.push(chunk);
          gc();
          peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
          done();
        },
      });
      const summary = await writeBackup(db, sink);
      const file = Buffer.concat(chunks);
      expect(summary.tables).toMatchObject({ people: PEOPLE, rate_limits: RATE_LIMITS, access_decisions: DECISIONS });
      expect(summary.bytes).toBe(file.length);
      expect(summary.sha256).toBe(sha256Hex(file));
      expect(framesOf(file).frames.length).toBeGreaterThan(1);
      const tableBytes = await (async () => {
        gc();
        const start = process.memoryUsage().heapUsed;
        const rows = await readTable(db, accessDecisions);
        gc();
        expect(rows.length).toBe(DECISIONS);
        return process.memoryUsage().heapUsed - start;
      })();
      console.info(
        `live heap while writing: ${Math.round(peak / 2 ** 20)} MB; access_decisions read whole: ${Math.round(tableBytes / 2 ** 20)} MB`,
      );
      expect(peak).toBeLessThan(tableBytes / 2);

      const target = await openTestDatabase();
      try {
        // The restore reads the file a slice at a time and holds a frame and a batch of rows.
        gc();
        const restoreBaseline = process.memoryUsage().heapUsed;
        let restorePeak = 0;
        async function* slices() {
          for (let at = 0; at < file.length; at += 64 * 1024) {
            gc();
            restorePeak = Math.max(restorePeak, process.memoryUsage().heapUsed - restoreBaseline);
            yield file.subarray(at, at + 64 * 1024);
          }
        }
        expect(await restoreBackupFrom(target.db, slices())).toEqual(before);
        console.info(`live heap while restoring: ${Math.round(restorePeak / 2 ** 20)} MB`);
        expect(restorePeak).toBeLessThan(tableBytes / 2);
        const [linked] = rowsOf<{ n: number }>(
          await target.db.execute(sql`select count(*)::int as n from people where manager_id is not null`),
        );
        expect(Number(linked.n)).toBe(PEOPLE - 1);
      } finally {
        await target.close();
      }
    },
  );

  it("refuses a frame removed, duplicated, swapped, the last frame dropped and a byte edited, leaving the target empty", async () => {
    const db = source.db();
    const { file } = await createBackup(db, { frameSize: 64 * 1024 });
    const { prefix, frames } = framesOf(file);
    expect(frames.length).toBeGreaterThan(4);
    const edited = Buffer.from(file);
    edited[Math.floor(file.length / 2)] ^= 0x01;
    const variants: Record<string, Buffer> = {
      removed: Buffer.concat([prefix, frames[0], ...frames.slice(2)]),
      duplicated: Buffer.concat([prefix, frames[0], frames[1], ...frames.slice(1)]),
      swapped: Buffer.concat([prefix, frames[0], frames[2], frames[1], ...frames.slice(3)]),
      "last dropped": Buffer.concat([prefix, ...frames.slice(0, -1)]),
      "last repeated": Buffer.concat([file, frames[frames.length - 1]]),
      edited,
    };
    const target = await openTestDatabase();
    try {
      for (const [name, variant] of Object.entries(variants)) {
        const refusal = restoreBackup(target.db, variant);
        await expect(refusal, name).rejects.toThrow(BackupError);
        await expect(refusal, name).rejects.toThrow(/modified or truncated/);
        expect(await emptyTables(target.db), name).toEqual([]);
      }
      // The untouched file restores into the same, still empty, database.
      await restoreBackup(target.db, file);
      expect(await tableChecksums(target.db)).toEqual(await tableChecksums(db));
    } finally {
      await target.close();
    }
  });

  it("refuses a table that does not match its checksum, rolling every table back", async () => {
    const db = source.db();
    const { file } = await createBackup(db);
    // A decision flipped inside a correctly sealed file: only the table's checksum can notice.
    const forged = await resealed(file, (plain) => plain.replace('"allow":false', '"allow":true'));
    const target = await openTestDatabase();
    try {
      await expect(restoreBackup(target.db, forged)).rejects.toThrow(
        "Table access_decisions does not match its checksum.",
      );
      expect(await emptyTables(target.db)).toEqual([]);
    } finally {
      await target.close();
    }
  });

  it("sets keys, references and indexes aside while loading and puts every one back, also when a restore is refused", async () => {
    const db = source.db();
    const { file } = await createBackup(db);
    const target = await openTestDatabase();
    try {
      const shape = await schemaShape(target.db);
      expect(shape.length).toBeGreaterThan(100);
      // Signed by the key holder, checksum and count made to match: only the person's key can refuse it.
      const twice = await resealed(file, (plain) => withRowTwice(plain, "access_decisions"));
      const refusal = await restoreBackup(target.db, twice).then(
        () => "restored",
        (error: Error) => `${error.message} ${String(error.cause)}`,
      );
      expect(refusal).toMatch(/could not create unique index "access_decisions_pkey"/);
      expect(refusal).toMatch(/^The restored rows of access_decisions break access_decisions_pkey: /);
      expect(await emptyTables(target.db)).toEqual([]);
      expect(await schemaShape(target.db)).toEqual(shape);

      const revision = async () =>
        Number(
          rowsOf<{ r: string }>(await target.db.execute(sql`select revision::text as r from access_revision`))[0].r,
        );
      const before = await revision();
      await restoreBackup(target.db, file);
      expect(await tableChecksums(target.db)).toEqual(await tableChecksums(db));
      expect(await schemaShape(target.db)).toEqual(shape);
      expect(shape.some((d) => d.startsWith("trigger certifications certifications_revision O"))).toBe(true);
      // Every decision may have changed: the access revision moved on, as its triggers would have moved it.
      expect(await revision()).toBeGreaterThan(before);
      expect(await schemaShape(target.db)).toEqual(await schemaShape(db));
    } finally {
      await target.close();
    }
  });

  it("still restores a version 1 file", async () => {
    const db = source.db();
    const file = await writeBackupV1(db);
    expect(file.subarray(0, 19).toString()).toBe("CLEARANCE-BACKUP 1\n");
    const target = await openTestDatabase();
    try {
      expect(await restoreBackup(target.db, file)).toEqual(await tableChecksums(db));
      await expect(restoreBackup(target.db, file)).rejects.toThrow("not empty");
    } finally {
      await target.close();
    }
  });
});
