import { crc32, deflateRawSync } from "node:zlib";

/**
 * A minimal ZIP writer (PKWARE APPNOTE 6.3): each entry is deflated (or
 * stored, when deflating does not help) and written to the sink as soon as it
 * is added, so a pack never holds more than one file at a time besides what
 * the sink keeps. No ZIP64: an entry or archive past 4 GiB is refused.
 * Times are written as 1980-01-01 so the same files give the same bytes.
 */
export type ZipSink = (chunk: Buffer) => void | Promise<void>;

type Entry = { name: Buffer; crc: number; method: number; compressed: number; size: number; offset: number };

const LIMIT = 0xffff_fffe;
const DOS_DATE = (1 << 5) | 1; // 1980-01-01
const UTF8_NAMES = 1 << 11;

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
    if (!/^[^/\\\u0000-\u001f][^\\\u0000-\u001f]*$/.test(path) || path.split("/").some((p) => p === ".." || !p))
      throw new Error(`Not a valid path inside a ZIP: ${path}`);
    if (this.names.has(path)) throw new Error(`Two entries named ${path}`);
    this.names.add(path);
    const data = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    const deflated = deflateRawSync(data);
    const [method, body] = deflated.length < data.length ? [8, deflated] : [0, data];
    const name = Buffer.from(path, "utf8");
    if (data.length > LIMIT || this.offset + body.length + 30 + name.length > LIMIT)
      throw new Error("The archive would pass 4 GiB, which this writer does not support");
    const entry: Entry = {
      name,
      crc: crc32(data),
      method,
      compressed: body.length,
      size: data.length,
      offset: this.offset,
    };
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(UTF8_NAMES, 6);
    header.writeUInt16LE(method, 8);
    header.writeUInt16LE(0, 10);
    header.writeUInt16LE(DOS_DATE, 12);
    header.writeUInt32LE(entry.crc, 14);
    header.writeUInt32LE(entry.compressed, 18);
    header.writeUInt32LE(entry.size, 22);
    header.writeUInt16LE(name.length, 26);
    header.writeUInt16LE(0, 28);
    this.entries.push(entry);
    await this.write(Buffer.concat([header, name]));
    await this.write(body);
  }

  /** Writes the central directory; nothing may be added after. */
  async finish(): Promise<void> {
    const start = this.offset;
    for (const e of this.entries) {
      const record = Buffer.alloc(46);
      record.writeUInt32LE(0x02014b50, 0);
      record.writeUInt16LE(20, 4);
      record.writeUInt16LE(20, 6);
      record.writeUInt16LE(UTF8_NAMES, 8);
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

  private async write(chunk: Buffer) {
    this.offset += chunk.length;
    await this.sink(chunk);
  }
}
