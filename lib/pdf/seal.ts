import "server-only";

import { pdflibAddPlaceholder } from "@signpdf/placeholder-pdf-lib";
import { P12Signer } from "@signpdf/signer-p12";
import { SignPdf } from "@signpdf/signpdf";
import { PDFDocument } from "pdf-lib";

import { env } from "@/lib/env";

import { getSigningIdentity } from "./signing-identity";

// Hex digits reserved for the PKCS#7 blob (8 KiB): ours is about 1.5 KiB; a
// 4096-bit certificate with intermediates still fits.
const SIGNATURE_LENGTH = 16_384;

/**
 * Seals a finished PDF with the organisation's certificate: an invisible
 * signature field, adbe.pkcs7.detached, SHA-256, covering the whole file.
 * Any later change to the bytes invalidates it.
 */
export async function sealPdf(
  pdf: Uint8Array,
  options: { reason: string; contactInfo?: string; location?: string },
): Promise<Buffer> {
  const identity = getSigningIdentity();
  const signingTime = new Date();
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  pdflibAddPlaceholder({
    pdfDoc: doc,
    reason: pdfTextString(options.reason),
    contactInfo: pdfTextString(options.contactInfo ?? ""),
    location: pdfTextString(options.location ?? ""),
    name: pdfTextString(identity.commonName || env().ORG_NAME),
    signingTime,
    signatureLength: SIGNATURE_LENGTH,
    subFilter: "adbe.pkcs7.detached",
    appName: "Clearance",
  });
  // Object streams would hide the signature dictionary from simple readers (and from verifySealedPdf).
  const prepared = await doc.save({ useObjectStreams: false });
  const signer = new P12Signer(identity.p12, { passphrase: identity.passphrase });
  return new SignPdf().sign(Buffer.from(prepared), signer, signingTime);
}

/**
 * The placeholder writes these values between parentheses as they are, one
 * byte per character: escape the delimiters, and write anything beyond ASCII
 * as UTF-16BE (with its byte-order mark), all as octal escapes, so that a
 * name like "José (Partner)" or "李华" neither breaks the PDF nor garbles.
 */
function pdfTextString(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return value.replace(/[\\()]/g, "\\$&");
  const bytes = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(value, "utf16le").swap16()]);
  return [...bytes].map((b) => `\\${b.toString(8).padStart(3, "0")}`).join("");
}
