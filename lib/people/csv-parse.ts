/** RFC 4180 CSV parsing for imports; pure, no dependencies. */
export type CsvRecord = {
  /** The line the record starts on, 1-based, as an editor or spreadsheet numbers it. */ line: number;
  fields: string[];
};
export type CsvResult = { ok: true; records: CsvRecord[] } | { ok: false; error: string };

type Step = { record: CsvRecord | null; next: number; lines: number } | "more" | { error: string };

/** Line breaks inside a quoted field, counted as an editor counts them (CRLF, LF and a lone CR are one each). */
function breaksIn(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) n++;
  }
  return n;
}

/**
 * Reads one record starting at `at`. Fields are sliced from the text, not
 * built a character at a time. "more" when the record may go on past the
 * end of what has arrived (only when `final` is false).
 */
function readRecord(buf: string, at: number, line: number, final: boolean): Step {
  const fields: string[] = [];
  let i = at;
  let lines = 0;
  for (;;) {
    let value: string;
    if (buf.charCodeAt(i) === 34 /* " */) {
      let j = i + 1;
      let close = -1;
      for (;;) {
        const k = buf.indexOf('"', j);
        if (k < 0 || (k + 1 >= buf.length && !final)) {
          if (!final) return "more";
          return {
            error: `Line ${line}: a quoted field is never closed. Check for a missing closing quote (").`,
          };
        }
        if (buf.charCodeAt(k + 1) === 34) {
          j = k + 2;
          continue;
        }
        close = k;
        break;
      }
      const raw = buf.slice(i + 1, close);
      lines += breaksIn(raw);
      value = raw.includes('""') ? raw.replace(/""/g, '"') : raw;
      i = close + 1;
      const c = buf.charCodeAt(i);
      if (i < buf.length && c !== 44 && c !== 10 && c !== 13)
        return {
          error: `Line ${line + lines}: unexpected text after a closing quote. Put the whole field in quotes and double any quote inside it ("").`,
        };
    } else {
      let k = i;
      while (k < buf.length) {
        const c = buf.charCodeAt(k);
        if (c === 44 || c === 10 || c === 13) break;
        k++;
      }
      // A stray quote inside an unquoted field is taken as a character, as spreadsheets do.
      value = buf.slice(i, k);
      i = k;
    }
    fields.push(value);
    if (i >= buf.length) {
      if (!final) return "more";
      break;
    }
    const c = buf.charCodeAt(i);
    if (c === 44) {
      i++;
      continue;
    }
    if (c === 13) {
      if (i + 1 >= buf.length && !final) return "more";
      i += buf.charCodeAt(i + 1) === 10 ? 2 : 1;
    } else i += 1;
    lines += 1;
    break;
  }
  // A blank line is skipped, but still counted so line numbers match the editor's.
  const blank = fields.length === 1 && fields[0] === "";
  return { record: blank ? null : { line, fields }, next: i, lines };
}

/**
 * RFC 4180 CSV read piece by piece, so a large file is never one string:
 * comma-separated, fields optionally in double quotes (which may hold commas,
 * line breaks and doubled quotes), records ended by CRLF, LF or CR, and a
 * leading UTF-8 byte-order mark ignored. Blank lines are skipped but still
 * counted, so line numbers match what people see in their editor.
 */
export class CsvReader {
  private buf = "";
  private line = 1;
  private started = false;
  private failed: string | null = null;

  /** The records completed by `text`; a record cut off at the end waits for the next piece. */
  push(text: string, final = false): CsvRecord[] {
    if (this.failed) return [];
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.startsWith("\uFEFF")) text = text.slice(1);
    }
    const buf = this.buf.length > 0 ? this.buf + text : text;
    const records: CsvRecord[] = [];
    let at = 0;
    while (at < buf.length) {
      const step = readRecord(buf, at, this.line, final);
      if (step === "more") break;
      if ("error" in step) {
        this.failed = step.error;
        this.buf = "";
        return records;
      }
      if (step.record) records.push(step.record);
      this.line += step.lines;
      at = step.next;
    }
    this.buf = at < buf.length ? buf.slice(at) : "";
    return records;
  }

  /** The last record, when the text does not end with a line break. */
  end(): CsvRecord[] {
    return this.push("", true);
  }

  /** Why reading stopped, if the text is not CSV. */
  get error(): string | null {
    return this.failed;
  }
}

/** The whole of a (small) text at once; the same rules as CsvReader. */
export function parseCsv(input: string): CsvResult {
  const reader = new CsvReader();
  const records = reader.push(input, true);
  return reader.error ? { ok: false, error: reader.error } : { ok: true, records };
}

/** Records from a stream of text pieces, one at a time; throws CsvError if the text is not CSV. */
export async function* csvRecords(pieces: AsyncIterable<string>): AsyncGenerator<CsvRecord> {
  const reader = new CsvReader();
  for await (const piece of pieces) {
    yield* reader.push(piece);
    if (reader.error) throw new CsvError(reader.error);
  }
  yield* reader.end();
  if (reader.error) throw new CsvError(reader.error);
}

export class CsvError extends Error {}
