/**
 * The people import's file limit, shared by the form (which refuses a larger
 * file before sending it) and the import rules. It stays under the 1 MB every
 * Server Action takes (next.config.ts), leaving room for the form's other fields.
 */
export const IMPORT_MAX_BYTES = 1000 * 1024;

/** The byte limit, checked before reading the file. */
export function sizeError(bytes: number): string | null {
  if (bytes === 0) return "The file is empty. Choose a CSV file with a header row and one row per person.";
  if (bytes > IMPORT_MAX_BYTES)
    return `The file is ${(bytes / 1024 / 1024).toFixed(1)} MB; the limit is 1 MB. Split it into smaller files and import them one after another.`;
  return null;
}

/** A whole organisation's file, uploaded as a background import job (streamed, never through a Server Action). */
export const IMPORT_JOB_MAX_BYTES = 50 * 1024 * 1024;

/** The job upload's byte limit. */
export function jobSizeError(bytes: number): string | null {
  if (bytes === 0) return "The file is empty. Choose a CSV file with a header row and one row per person.";
  if (bytes > IMPORT_JOB_MAX_BYTES)
    return `The file is larger than ${IMPORT_JOB_MAX_BYTES / 1024 / 1024} MB. Split it into smaller files and import them one after another.`;
  return null;
}
