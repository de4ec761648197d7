import { z } from "zod";

/**
 * Pieces for reading list filters from a page's search parameters. A shared
 * link with a stale or malformed value falls back to "no filter" (or the
 * first page) instead of breaking the page.
 */

/** The first value, trimmed; undefined when blank. */
export const blankToUndefined = (v: unknown) => {
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === "string" && first.trim() !== "" ? first.trim() : undefined;
};

/** Optional text of at most `max` characters. */
export const optionalText = (max: number) =>
  z.preprocess(blankToUndefined, z.string().max(max).optional()).catch(undefined);

/** A page number, 1 when missing or malformed. */
export const pageNumber = () =>
  z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(100_000).default(1)).catch(1);

/** `text` for a LIKE pattern, matched as written: % and _ are literal. */
export const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
