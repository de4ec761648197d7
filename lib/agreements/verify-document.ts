import "server-only";

import { eq } from "drizzle-orm";

import { getDb } from "@/db/client";
import { signatures } from "@/db/schema";
import { sha256Hex } from "@/lib/crypto/hash";
import { isoDate } from "@/lib/format";
import { limitVerification } from "@/lib/http/public-limits";
import { verifySealedPdf } from "@/lib/pdf/verify-seal";

import { MAX_VERIFY_UPLOAD_BYTES, UPLOAD_MESSAGES, type UploadState } from "./verify-limits";

export { MAX_VERIFY_UPLOAD_BYTES };

export type DocumentVerdict =
  | { authentic: true; documentId: string; agreementTitle: string; version: string; signerName: string; signedAt: Date }
  | { authentic: false };

/**
 * A file is authentic only if it is byte-for-byte a document we sealed: its
 * SHA-256 is on record and its PKCS#7 signature verifies over the whole file.
 * Only the agreement, the signer's name and the date are revealed.
 */
export async function verifySignedDocument(bytes: Uint8Array): Promise<DocumentVerdict> {
  if (bytes.length === 0 || bytes.length > MAX_VERIFY_UPLOAD_BYTES) return { authentic: false };
  const db = await getDb();
  const [row] = await db
    .select({
      id: signatures.id,
      title: signatures.agreementTitle,
      version: signatures.agreementVersion,
      name: signatures.signerName,
      signedAt: signatures.signedAt,
    })
    .from(signatures)
    .where(eq(signatures.pdfSha256, sha256Hex(bytes)));
  if (!row) return { authentic: false };
  const seal = verifySealedPdf(bytes);
  if (!seal.signed || !seal.intact || !seal.coversWholeDocument) return { authentic: false };
  return {
    authentic: true,
    documentId: row.id,
    agreementTitle: row.title,
    version: row.version,
    signerName: row.name,
    signedAt: row.signedAt,
  };
}

/** The /verify page's upload: the same answers its form has always shown. Nothing is stored. */
export async function verifyUploadedFile(
  file: FormDataEntryValue | null,
  ip: string,
): Promise<Exclude<UploadState, null>> {
  if (!(file instanceof File) || file.size === 0) return { error: UPLOAD_MESSAGES.missing };
  if (file.size > MAX_VERIFY_UPLOAD_BYTES) return { error: UPLOAD_MESSAGES.tooLarge };
  if (!(await limitVerification(ip)).allowed) return { error: UPLOAD_MESSAGES.rateLimited };
  const verdict = await verifySignedDocument(new Uint8Array(await file.arrayBuffer()));
  return { authentic: verdict.authentic, message: describeVerdict(verdict) };
}

export function describeVerdict(verdict: DocumentVerdict): string {
  return verdict.authentic
    ? `Authentic: ${verdict.agreementTitle} v${verdict.version} signed by ${verdict.signerName} on ${isoDate(verdict.signedAt)}`
    : "Not recognised or modified";
}
