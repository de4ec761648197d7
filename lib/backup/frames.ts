import { createCipheriv, createDecipheriv, createHash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";

import { BackupError, MODIFIED } from "./codec";

/**
 * The encrypted body of a version 2 backup: the compressed stream cut into frames, each sealed
 * on its own with AES-256-GCM so a reader holds one frame at a time, never the whole file.
 *
 * Frame: 4-byte big-endian length L, L bytes of ciphertext, 16-byte tag. The IV is the frame's
 * index (the key is new for every file: a fresh salt), and the additional data binds the file's
 * magic and header line, the frame's index and whether it is the last frame. A frame removed,
 * repeated, moved, edited or cut off, or a file that stops before its last frame, fails
 * authentication.
 */
export const FRAME_SIZE = 256 * 1024;
const MAX_FRAME = 16 * 1024 * 1024;
const TAG = 16;

const ivFor = (index: number) => {
  const iv = Buffer.alloc(12);
  iv.writeBigUInt64BE(BigInt(index), 4);
  return iv;
};

const aadFor = (prefix: Buffer, index: number, last: boolean) => {
  const position = Buffer.alloc(9);
  position.writeBigUInt64BE(BigInt(index), 0);
  position[8] = last ? 1 : 0;
  return Buffer.concat([prefix, position]);
};

/** Writes `prefix` (magic and header line), then the bytes it is given as sealed frames; counts and hashes everything it writes. */
export class FrameSealer extends Transform {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private index = 0;
  private readonly fileHash = createHash("sha256");
  bytes = 0;

  constructor(
    private readonly key: Buffer,
    private readonly prefix: Buffer,
    private readonly frameSize = FRAME_SIZE,
  ) {
    super();
    this.emitBytes(prefix);
  }

  /** SHA-256 of the whole file, once it has been written. */
  get sha256(): string {
    return this.fileHash.copy().digest("hex");
  }

  private emitBytes(bytes: Buffer) {
    this.fileHash.update(bytes);
    this.bytes += bytes.length;
    this.push(bytes);
  }

  private takePending(n: number): Buffer {
    const all = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.pending = rest.length ? [rest] : [];
    this.pendingBytes = rest.length;
    return out;
  }

  private seal(plain: Buffer, last: boolean) {
    const cipher = createCipheriv("aes-256-gcm", this.key, ivFor(this.index));
    cipher.setAAD(aadFor(this.prefix, this.index, last));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    this.emitBytes(Buffer.concat([length, body, cipher.getAuthTag()]));
    this.index++;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    // Keep at least one byte back: the frame that ends the file is sealed as the last one in _flush.
    while (this.pendingBytes > this.frameSize) this.seal(this.takePending(this.frameSize), false);
    done();
  }

  override _flush(done: TransformCallback) {
    this.seal(this.takePending(this.pendingBytes), true);
    done();
  }
}

/** Reads a byte stream in exact amounts, holding only what it has not handed out yet. */
export class ByteReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  private readonly source: AsyncIterator<unknown>;

  constructor(source: AsyncIterable<unknown>) {
    this.source = source[Symbol.asyncIterator]();
  }

  private async fill(n: number): Promise<void> {
    while (this.buffered < n && !this.ended) {
      const next = await this.source.next();
      if (next.done) {
        this.ended = true;
        break;
      }
      const chunk = typeof next.value === "string" ? Buffer.from(next.value) : Buffer.from(next.value as Uint8Array);
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
  }

  /** `n` bytes, fewer only where the stream ends. */
  async read(n: number): Promise<Buffer> {
    await this.fill(n);
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const out = all.subarray(0, n);
    const rest = all.subarray(out.length);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
    return out;
  }

  /** Up to and including the next newline, or null if none comes within `max` bytes. */
  async readLine(max: number): Promise<Buffer | null> {
    await this.fill(max);
    const all = Buffer.concat(this.chunks);
    const end = all.indexOf(0x0a);
    if (end < 0 || end >= max) return null;
    this.chunks = [all];
    this.buffered = all.length;
    return this.read(end + 1);
  }

  async atEnd(): Promise<boolean> {
    await this.fill(1);
    return this.buffered === 0;
  }

  /** Everything left. */
  async rest(): Promise<Buffer> {
    await this.fill(Number.POSITIVE_INFINITY);
    return this.read(this.buffered);
  }

  /** Stops reading the source (closes a file stream). */
  async close(): Promise<void> {
    await this.source.return?.();
  }
}

/** The frames' plaintext in order, each yielded only once authenticated; refuses a file that does not end with its last frame. */
export async function* openFrames(input: ByteReader, key: Buffer, prefix: Buffer): AsyncGenerator<Buffer> {
  for (let index = 0; ; index++) {
    const length = await input.read(4);
    if (length.length < 4) throw new BackupError(MODIFIED);
    const size = length.readUInt32BE(0);
    if (size > MAX_FRAME) throw new BackupError(MODIFIED);
    const frame = await input.read(size + TAG);
    if (frame.length < size + TAG) throw new BackupError(MODIFIED);
    const plain = open(key, prefix, index, frame, size, false) ?? open(key, prefix, index, frame, size, true);
    if (!plain) throw new BackupError(MODIFIED);
    yield plain.data;
    if (plain.last) {
      if (!(await input.atEnd())) throw new BackupError(MODIFIED);
      return;
    }
  }
}

function open(key: Buffer, prefix: Buffer, index: number, frame: Buffer, size: number, last: boolean) {
  const decipher = createDecipheriv("aes-256-gcm", key, ivFor(index));
  decipher.setAAD(aadFor(prefix, index, last));
  decipher.setAuthTag(frame.subarray(size));
  try {
    return { data: Buffer.concat([decipher.update(frame.subarray(0, size)), decipher.final()]), last };
  } catch {
    return null;
  }
}
