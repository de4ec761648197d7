import "server-only";
import { eq } from "drizzle-orm";
import { getDb } from "@/db/client";
import { signatures } from "@/db/schema";
import { verifySealedPdf } from "@/lib/pdf/verify-seal";
import { sha256 } from "./complete-signature";

export const MAX_VERIFY_UPLOAD_BYTES = 10 * 1024 * 1024;

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
    .select({ id: signatures.id, title: signatures.agreementTitle, version: signatures.agreementVersion, name: signatures.signerName, signedAt: signatures.signedAt })
    .from(signatures)
    .where(eq(signatures.pdfSha256, sha256(bytes)));
  if (!row) return { authentic: false };
  const seal = verifySealedPdf(bytes);
  if (!seal.signed || !seal.intact || !seal.coversWholeDocument) return { authentic: false };
  return { authentic: true, documentId: row.id, agreementTitle: row.title, version: row.version, signerName: row.name, signedAt: row.signedAt };
}

export function describeVerdict(verdict: DocumentVerdict): string {
  return verdict.authentic
    ? `Authentic: ${verdict.agreementTitle} v${verdict.version} signed by ${verdict.signerName} on ${verdict.signedAt.toISOString().slice(0, 10)}`
    : "Not recognised or modified";
}
