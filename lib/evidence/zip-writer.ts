import { createHash } from "node:crypto";
import { crc32, createDeflateRaw, deflateRawSync } from "node:zlib";

/**
 * A minimal ZIP writer (PKWARE APPNOTE 6.3): each entry is deflated (or
 * stored, when deflating does not help) and written to the sink as soon as it
 * is added, so a pack never holds more than one file at a time besides what
 * the sink keeps. An entry can also be streamed (`addStream`): deflated as its
 * chunks arrive, with its CRC and sizes in a data descriptor after the data,
 * so a file of any length passes through in bounded memory. No ZIP64: an
 * entry or archive past 4 GiB is refused. Times are written as 1980-01-01 so
 * the same files give the same bytes.
 */
export type ZipSink = (chunk: Buffer) => void | Promise<void>;

type Entry = {
  name: Buffer;
  flags: number;
  crc: number;
  method: number;
  compressed: number;
  size: number;
  offset: number;
};

/** What was written for an entry: its uncompressed size and SHA-256 (hex). */
export type WrittenEntry = { size: number; sha256: string };

const LIMIT = 0xffff_fffe;
const DOS_DATE = (1 << 5) | 1; // 1980-01-01
const UTF8_NAMES = 1 << 11;
const DATA_DESCRIPTOR = 1 << 3;

export class ZipWriter {
  private readonly entries: Entry[] = [];
  private readonly names = new Set<string>();
  private offset = 0;

  constructor(private readonly sink: ZipSink) {}

  /** Bytes written so far. */
  get size(): number {
    return this.offset;
  }

  async add(path: string, content: Buffer | string): Promise<void> {
    this.claim(path);
    const data = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    const deflated = deflateRawSync(data);
    const [method, body] = deflated.length < data.length ? [8, deflated] : [0, data];
    const name = Buffer.from(path, "utf8");
    if (data.length > LIMIT || this.offset + body.length + 30 + name.length > LIMIT)
      throw new Error("The archive would pass 4 GiB, which this writer does not support");
    const entry: Entry = {
      name,
      flags: UTF8_NAMES,
      crc: crc32(data),
      method,
      compressed: body.length,
      size: data.length,
      offset: this.offset,
    };
    this.entries.push(entry);
    await this.write(localHeader(entry));
    await this.write(body);
  }

  /**
   * Streams an entry: each chunk is deflated and passed on as it comes, the
   * CRC-32, sizes and SHA-256 computed on the way; returns the size and the
   * SHA-256 of what was written. Nothing else may be added until it resolves.
   */
  async addStream(path: string, chunks: AsyncIterable<Buffer | string>): Promise<WrittenEntry> {
    this.claim(path);
    const entry: Entry = {
      name: Buffer.from(path, "utf8"),
      flags: UTF8_NAMES | DATA_DESCRIPTOR,
      crc: 0,
      method: 8,
      compressed: 0,
      size: 0,
      offset: this.offset,
    };
    await this.write(localHeader(entry));
    const hash = createHash("sha256");
    const deflate = createDeflateRaw();
    const output: Buffer[] = [];
    deflate.on("data", (chunk: Buffer) => output.push(chunk));
    const drain = async () => {
      for (const chunk of output.splice(0)) {
        entry.compressed += chunk.length;
        await this.write(chunk);
      }
    };
    const pass = (chunk?: Buffer) =>
      new Promise<void>((resolve, reject) => {
        deflate.once("error", reject);
        const done = () => {
          deflate.off("error", reject);
          resolve();
        };
        if (chunk) deflate.write(chunk, done);
        else deflate.end(done);
      });
    for await (const piece of chunks) {
      const data = typeof piece === "string" ? Buffer.from(piece, "utf8") : piece;
      if (data.length === 0) continue;
      entry.crc = crc32(data, entry.crc);
      entry.size += data.length;
      hash.update(data);
      if (entry.size > LIMIT) throw new Error("The archive would pass 4 GiB, which this writer does not support");
      await pass(data);
      await drain();
    }
    await pass();
    await new Promise<void>((resolve) => (deflate.readableEnded ? resolve() : deflate.once("end", resolve)));
    await drain();
    if (this.offset + 16 > LIMIT) throw new Error("The archive would pass 4 GiB, which this writer does not support");
    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(entry.crc, 4);
    descriptor.writeUInt32LE(entry.compressed, 8);
    descriptor.writeUInt32LE(entry.size, 12);
    this.entries.push(entry);
    await this.write(descriptor);
    return { size: entry.size, sha256: hash.digest("hex") };
  }

  /** Writes the central directory; nothing may be added after. */
  async finish(): Promise<void> {
    const start = this.offset;
    for (const e of this.entries) {
      const record = Buffer.alloc(46);
      record.writeUInt32LE(0x02014b50, 0);
      record.writeUInt16LE(20, 4);
      record.writeUInt16LE(20, 6);
      record.writeUInt16LE(e.flags, 8);
      record.writeUInt16LE(e.method, 10);
      record.writeUInt16LE(0, 12);
      record.writeUInt16LE(DOS_DATE, 14);
      record.writeUInt32LE(e.crc, 16);
      record.writeUInt32LE(e.compressed, 20);
      record.writeUInt32LE(e.size, 24);
      record.writeUInt16LE(e.name.length, 28);
      record.writeUInt32LE(e.offset, 42);
      await this.write(Buffer.concat([record, e.name]));
    }
    if (this.entries.length > 0xfffe) throw new Error("Too many entries for a ZIP without ZIP64");
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(this.offset - start, 12);
    end.writeUInt32LE(start, 16);
    await this.write(end);
  }

  private claim(path: string) {
    if (!/^[^/\\\u0000-\u001f][^\\\u0000-\u001f]*$/.test(path) || path.split("/").some((p) => p === ".." || !p))
      throw new Error(`Not a valid path inside a ZIP: ${path}`);
    if (this.names.has(path)) throw new Error(`Two entries named ${path}`);
    this.names.add(path);
  }

  private async write(chunk: Buffer) {
    this.offset += chunk.length;
    await this.sink(chunk);
  }
}

/** An entry's local header; a streamed entry's CRC and sizes are zero here and follow its data. */
function localHeader(entry: Entry): Buffer {
  const streamed = (entry.flags & DATA_DESCRIPTOR) !== 0;
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(entry.flags, 6);
  header.writeUInt16LE(entry.method, 8);
  header.writeUInt16LE(0, 10);
  header.writeUInt16LE(DOS_DATE, 12);
  header.writeUInt32LE(streamed ? 0 : entry.crc, 14);
  header.writeUInt32LE(streamed ? 0 : entry.compressed, 18);
  header.writeUInt32LE(streamed ? 0 : entry.size, 22);
  header.writeUInt16LE(entry.name.length, 26);
  header.writeUInt16LE(0, 28);
  return Buffer.concat([header, entry.name]);
}
