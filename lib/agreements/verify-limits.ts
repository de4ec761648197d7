/**
 * What the /verify upload takes and says, shared by the page's form (which
 * refuses an oversized file before sending it) and the route that checks it.
 */
export const MAX_VERIFY_UPLOAD_BYTES = 10 * 1024 * 1024;

/** A multipart body carries its boundary and part headers besides the file. */
export const MAX_VERIFY_FORM_BYTES = MAX_VERIFY_UPLOAD_BYTES + 64 * 1024;

/** An upload's answer: the verdict, and for an authentic document what its seal carries, in words. */
export type UploadState = { authentic: boolean; message: string; seal?: string } | { error: string } | null;

export const UPLOAD_MESSAGES = {
  missing: "Choose a PDF file to check.",
  tooLarge: "That file is larger than 10 MB; signed agreements and certificates are much smaller.",
  rateLimited: "Too many checks from your network in the last minute. Wait a minute and try again.",
  unreachable: "The document could not be checked just now. Try again.",
} as const;
