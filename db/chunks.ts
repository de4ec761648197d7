/**
 * PostgreSQL's wire protocol numbers bind parameters with 16 bits, so one
 * statement carries at most 65,535 of them (postgres.js refuses more with
 * MAX_PARAMETERS_EXCEEDED, PGlite with a protocol error). Every multi-row
 * write goes through these helpers, sized from the columns it binds per row.
 */
export const MAX_BIND_PARAMETERS = 65_534;

/** Rows per statement for `columnsPerRow` parameters each: under the limit, and at most `cap` so one statement stays quick to build. */
export function rowsPerStatement(columnsPerRow: number, cap = 2_000): number {
  return Math.max(1, Math.min(cap, Math.floor(MAX_BIND_PARAMETERS / Math.max(1, columnsPerRow))));
}

/** `items` in consecutive slices of at most `size`. */
export function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs `write` on each slice of rows, one statement after another, and concatenates what each returns. */
export async function writeInChunks<T, R = never>(
  rows: readonly T[],
  columnsPerRow: number,
  write: (chunk: T[]) => Promise<R[] | void>,
): Promise<R[]> {
  const out: R[] = [];
  for (const chunk of chunksOf(rows, rowsPerStatement(columnsPerRow))) {
    const result = await write(chunk);
    if (result) out.push(...result);
  }
  return out;
}
