/** RFC 4180 CSV parsing for imports; pure, no dependencies. */
export type CsvRecord = {
  /** The line the record starts on, 1-based, as an editor or spreadsheet numbers it. */ line: number;
  fields: string[];
};
export type CsvResult = { ok: true; records: CsvRecord[] } | { ok: false; error: string };

/**
 * RFC 4180 CSV: comma-separated, fields optionally in double quotes (which may
 * hold commas, line breaks and doubled quotes), records ended by CRLF, LF or
 * CR, and a leading UTF-8 byte-order mark ignored. Blank lines are skipped but
 * still counted, so line numbers match what people see in their editor.
 */
export function parseCsv(input: string): CsvResult {
  const text = input.startsWith("\uFEFF") ? input.slice(1) : input;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = "";
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  let afterQuote = false;
  let i = 0;

  const endField = () => {
    fields.push(field);
    field = "";
    afterQuote = false;
  };
  const endRecord = () => {
    endField();
    if (!(fields.length === 1 && fields[0] === "")) records.push({ line: recordLine, fields });
    fields = [];
  };

  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        afterQuote = true;
      } else {
        if (c === "\n" || (c === "\r" && text[i + 1] !== "\n")) line += 1;
        field += c;
      }
      i += 1;
      continue;
    }
    if (c === ",") {
      endField();
    } else if (c === "\r" || c === "\n") {
      endRecord();
      if (c === "\r" && text[i + 1] === "\n") i += 1;
      line += 1;
      recordLine = line;
    } else if (afterQuote) {
      return {
        ok: false,
        error: `Line ${line}: unexpected text after a closing quote. Put the whole field in quotes and double any quote inside it ("").`,
      };
    } else if (c === '"' && field === "") {
      quoted = true;
    } else {
      // A stray quote inside an unquoted field is taken as a character, as spreadsheets do.
      field += c;
    }
    i += 1;
  }
  if (quoted)
    return {
      ok: false,
      error: `Line ${recordLine}: a quoted field is never closed. Check for a missing closing quote (").`,
    };
  if (field !== "" || fields.length > 0 || afterQuote) endRecord();
  return { ok: true, records };
}
