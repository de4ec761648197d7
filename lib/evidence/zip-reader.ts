import { crc32, inflateRawSync } from "node:zlib";

export type ZipEntry = { path: string; content: Buffer };

/** Why an archive could not be read, naming the entry when one is at fault. */
export class ZipReadError extends Error {}

/**
 * Reads every entry of a ZIP through its central directory (stored or
 * deflated, no ZIP64, no encryption), checking each entry's CRC-32 and that
 * no name appears twice. Made for evidence packs: small enough to read whole.
 */
export function readZip(zip: Buffer, limits: { maxEntries?: number; maxBytes?: number } = {}): ZipEntry[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0 || eocd + 22 > zip.length) throw new ZipReadError("Not a ZIP file (no end of central directory).");
  const count = zip.readUInt16LE(eocd + 10);
  if (limits.maxEntries !== undefined && count > limits.maxEntries)
    throw new ZipReadError(`The ZIP holds ${count} entries; at most ${limits.maxEntries} are accepted.`);
  let total = 0;
  let at = zip.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== 0x02014b50)
      throw new ZipReadError("The ZIP's central directory is damaged.");
    const flags = zip.readUInt16LE(at + 8);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressed = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extra = zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const path = zip.subarray(at + 46, at + 46 + nameLength).toString("utf8");
    at += 46 + nameLength + extra;
    if (seen.has(path)) throw new ZipReadError(`${path}: appears twice in the ZIP.`);
    seen.add(path);
    if (flags & 1) throw new ZipReadError(`${path}: encrypted entries are not supported.`);
    // Sizes are checked as declared, before anything is inflated: a small archive cannot unpack into a large one.
    total += size;
    if (limits.maxBytes !== undefined && total > limits.maxBytes)
      throw new ZipReadError(`${path}: the ZIP unpacks to more than ${Math.round(limits.maxBytes / 1_000_000)} MB.`);
    if (local + 30 > zip.length || zip.readUInt32LE(local) !== 0x04034b50)
      throw new ZipReadError(`${path}: its local header is missing.`);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const body = zip.subarray(start, start + compressed);
    if (body.length !== compressed) throw new ZipReadError(`${path}: the ZIP is truncated.`);
    let content: Buffer;
    try {
      if (method === 0) content = Buffer.from(body);
      else if (method === 8) content = inflateRawSync(body, { maxOutputLength: Math.max(size, 1) });
      else throw new ZipReadError(`${path}: compression method ${method} is not supported.`);
    } catch (error) {
      if (error instanceof ZipReadError) throw error;
      throw new ZipReadError(`${path}: cannot be decompressed.`);
    }
    if (content.length !== size || crc32(content) !== crc)
      throw new ZipReadError(`${path}: its CRC-32 does not match.`);
    entries.push({ path, content });
  }
  return entries;
}
