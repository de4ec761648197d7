/**
 * CSV for spreadsheets: RFC 4180 quoting, CRLF line ends, UTF-8 with a BOM
 * (so Excel reads "José Ñúñez" and "李华" correctly), and cells that a
 * spreadsheet would run as a formula neutralised with a leading apostrophe.
 */

const BOM = "\uFEFF";
// =, +, - and @ start formulas in Excel, LibreOffice and Google Sheets; a leading tab or CR can hide one.
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? "" : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  return BOM + rows.map(csvLine).join("");
}

export function csvLine(row: readonly (string | number | null | undefined)[]): string {
  return row.map(csvField).join(",") + "\r\n";
}

/**
 * The same CSV as toCsv, made as the rows arrive: text in pieces of about
 * `piece` characters, so a table of any length passes through in bounded memory.
 */
export async function* csvChunks(
  rows: AsyncIterable<readonly (string | number | null | undefined)[]>,
  piece = 64 * 1024,
): AsyncGenerator<string> {
  let text = BOM;
  for await (const row of rows) {
    text += csvLine(row);
    if (text.length >= piece) {
      yield text;
      text = "";
    }
  }
  if (text) yield text;
}

export function csvResponse(csv: string, filename: string): Response {
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, "_")}"`,
      "Cache-Control": "private, no-store",
    },
  });
}
