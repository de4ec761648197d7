import "server-only";

import { eq } from "drizzle-orm";

import { getDb } from "@/db/client";
import { signatures } from "@/db/schema";
import { sha256Hex } from "@/lib/crypto/hash";
import { isoDate } from "@/lib/format";
import { limitVerification } from "@/lib/http/public-limits";
import { verifySealedPdf } from "@/lib/pdf/verify-seal";
import {
  describeCertification,
  verifySealedCertificate,
  type PublicVerification,
} from "@/lib/training/verify-certificate";

import { MAX_VERIFY_UPLOAD_BYTES, UPLOAD_MESSAGES, type UploadState } from "./verify-limits";

export { MAX_VERIFY_UPLOAD_BYTES };

/**
 * What the seal of an authentic document carries besides its signature: `longTermValidation` when it
 * holds revocation data (CRLs) for its certificate chain (PAdES B-LT), so it can be checked after the
 * certificate expires; `timestamped` when it carries a TSA's time-stamp (PAdES B-T).
 */
export type SealLevel = { timestamped: boolean; longTermValidation: boolean };

export type DocumentVerdict =
  | ({
      authentic: true;
      kind: "agreement";
      documentId: string;
      agreementTitle: string;
      version: string;
      signerName: string;
      signedAt: Date;
    } & SealLevel)
  | ({ authentic: true; kind: "certificate"; certificate: Extract<PublicVerification, { found: true }> } & SealLevel)
  | { authentic: false };

/**
 * A file is authentic only if it is byte-for-byte a document we sealed (a
 * signed agreement or a completion certificate): its SHA-256 is on record and
 * its seal verifies over the whole file. Only what the document itself shows
 * is revealed: the agreement, the signer's name and the date; or the
 * certificate's holder, course and dates, with its standing now.
 */
export async function verifySignedDocument(bytes: Uint8Array): Promise<DocumentVerdict> {
  if (bytes.length === 0 || bytes.length > MAX_VERIFY_UPLOAD_BYTES) return { authentic: false };
  // The seal's level when it verifies over the whole file, or null.
  const intactSeal = (): SealLevel | null => {
    const seal = verifySealedPdf(bytes);
    if (!(seal.signed && seal.intact && seal.coversWholeDocument)) return null;
    return { timestamped: seal.timestampedAt !== null, longTermValidation: seal.longTermValidation };
  };
  const sha256 = sha256Hex(bytes);
  const certificate = await verifySealedCertificate(sha256);
  if (certificate.found) {
    const level = intactSeal();
    return level ? { authentic: true, kind: "certificate", certificate, ...level } : { authentic: false };
  }
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
    .where(eq(signatures.pdfSha256, sha256));
  const level = row ? intactSeal() : null;
  if (!row || !level) return { authentic: false };
  return {
    authentic: true,
    ...level,
    kind: "agreement",
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
  if (!verdict.authentic) return { authentic: false, message: describeVerdict(verdict) };
  return { authentic: true, message: describeVerdict(verdict), seal: describeSeal(verdict) };
}

/** What the seal of an authentic document carries, for people rather than validators. */
export function describeSeal(level: SealLevel): string {
  const time = level.timestamped
    ? "It carries a trusted time-stamp from a time-stamping authority (PAdES B-T), which fixes when it was sealed."
    : "It carries no trusted time-stamp: the sealing time is the organisation's own clock.";
  const revocation = level.longTermValidation
    ? "It also carries the revocation lists of its certificate chain (long-term validation), so it can still be checked after the sealing certificate expires."
    : "It does not carry revocation data for its certificate chain, so checking it after the sealing certificate expires needs that data from elsewhere.";
  return `Sealed with the organisation's certificate. ${time} ${revocation}`;
}

export function describeVerdict(verdict: DocumentVerdict): string {
  if (!verdict.authentic) return "Not recognised or modified";
  if (verdict.kind === "certificate")
    return describeCertification(verdict.certificate, isoDate(verdict.certificate.issuedAt));
  return `Authentic: ${verdict.agreementTitle} v${verdict.version} signed by ${verdict.signerName} on ${isoDate(verdict.signedAt)}`;
}
