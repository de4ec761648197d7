import "server-only";

import { pdflibAddPlaceholder } from "@signpdf/placeholder-pdf-lib";
import { Signer, SignPdf } from "@signpdf/signpdf";
import { PDFDocument } from "pdf-lib";

import { env } from "@/lib/env";

import { signDetached } from "./cms";
import { getSigningIdentity, type SigningIdentity } from "./signing-identity";
import { requestTimestamp } from "./timestamp";

// Hex digits reserved for the CMS blob (8 KiB): ours is about 1.5 KiB; a
// 4096-bit certificate with intermediates still fits. A time-stamp token
// brings the TSA's own certificates: 24 KiB more leaves room for a long chain.
const SIGNATURE_LENGTH = 16_384;
const TIMESTAMPED_SIGNATURE_LENGTH = 65_536;

/**
 * Seals a finished PDF with the organisation's certificate: an invisible
 * signature field, a PAdES baseline signature (ETSI.CAdES.detached, SHA-256)
 * covering the whole file, with the certificate chain embedded and, when
 * TSA_URL is set, an RFC 3161 time-stamp on the signature (PAdES B-T). Any
 * later change to the bytes invalidates it. Without a time-stamp from the
 * TSA there is no seal: TimestampError is thrown and nothing is returned.
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
    signatureLength: env().TSA_URL ? TIMESTAMPED_SIGNATURE_LENGTH : SIGNATURE_LENGTH,
    subFilter: "ETSI.CAdES.detached",
    appName: "Clearance",
  });
  // Object streams would hide the signature dictionary from simple readers (and from verifySealedPdf).
  const prepared = await doc.save({ useObjectStreams: false });
  return new SignPdf().sign(Buffer.from(prepared), new OrganisationSigner(identity, env().TSA_URL), signingTime);
}

class OrganisationSigner extends Signer {
  constructor(
    private readonly identity: SigningIdentity,
    private readonly tsaUrl: string | undefined,
  ) {
    super();
  }

  async sign(pdf: Buffer): Promise<Buffer> {
    const { tsaUrl } = this;
    const timestamp = tsaUrl
      ? async (signature: Buffer) => (await requestTimestamp(tsaUrl, signature)).token
      : undefined;
    return signDetached(pdf, this.identity, timestamp);
  }
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
