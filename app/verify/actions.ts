"use server";

import { describeVerdict, MAX_VERIFY_UPLOAD_BYTES, verifySignedDocument } from "@/lib/agreements/verify-document";
import { limitVerification } from "@/lib/http/public-limits";
import { requestMeta } from "@/lib/http/request-context";

export type UploadState = { authentic: boolean; message: string } | { error: string } | null;

/** Checks an uploaded PDF against our records and its seal; nothing is stored. */
export async function verifyUpload(_: UploadState, formData: FormData): Promise<UploadState> {
  const file = formData.get("document");
  if (!(file instanceof File) || file.size === 0) return { error: "Choose a PDF file to check." };
  if (file.size > MAX_VERIFY_UPLOAD_BYTES) return { error: "That file is larger than 10 MB; signed agreements are much smaller." };
  if (!(await limitVerification((await requestMeta()).ip)).allowed) return { error: "Too many checks from your network in the last minute. Wait a minute and try again." };
  const verdict = await verifySignedDocument(new Uint8Array(await file.arrayBuffer()));
  return { authentic: verdict.authentic, message: describeVerdict(verdict) };
}
