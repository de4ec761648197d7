import "server-only";

import { pdflibAddPlaceholder } from "@signpdf/placeholder-pdf-lib";
import { Signer, SignPdf } from "@signpdf/signpdf";
import { PDFDocument } from "pdf-lib";

import { env } from "@/lib/env";

import { signDetached } from "./cms";
import { collectRevocationData, type RevocationData } from "./revocation";
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
 *
 * Long-term validation data (B-LT): a current CRL for every certificate of
 * the chain that has an issuer, fetched now (see collectRevocationData), so
 * that the seal can be checked after the certificate expires or the CA goes
 * away. The CRLs go into the signed attribute adbe-revocationInfoArchival
 * rather than a Document Security Store: a DSS is an incremental update
 * after the signature, so the signature would no longer cover the whole file
 * (pdfsig: "Not total document signed") and /verify, which accepts only a
 * file whose seal covers every byte, would have to trust an unsigned tail.
 * Inside the signature the data is signed with the document, Acrobat reads
 * it (the attribute is Adobe's, ISO 32000-1 12.8.3.3.2), and the file stays
 * exactly what was sealed.
 */
export async function sealPdf(
  pdf: Uint8Array,
  options: { reason: string; contactInfo?: string; location?: string },
): Promise<Buffer> {
  const identity = getSigningIdentity();
  const signingTime = new Date();
  const config = env();
  const revocation = await collectRevocationData(identity.chain, {
    mode: config.SEAL_REVOCATION,
    crlUrl: config.SEAL_CRL_URL,
    now: signingTime,
  });
  // Two hex digits a byte, and a little for the attribute's own headers.
  const revocationLength = revocation.crls.reduce((sum, crl) => sum + 2 * crl.length + 32, 0) + 64;
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  pdflibAddPlaceholder({
    pdfDoc: doc,
    reason: pdfTextString(options.reason),
    contactInfo: pdfTextString(options.contactInfo ?? ""),
    location: pdfTextString(options.location ?? ""),
    name: pdfTextString(identity.commonName || env().ORG_NAME),
    signingTime,
    signatureLength: (config.TSA_URL ? TIMESTAMPED_SIGNATURE_LENGTH : SIGNATURE_LENGTH) + revocationLength,
    subFilter: "ETSI.CAdES.detached",
    appName: "Clearance",
  });
  // Object streams would hide the signature dictionary from simple readers (and from verifySealedPdf).
  const prepared = await doc.save({ useObjectStreams: false });
  return new SignPdf().sign(
    Buffer.from(prepared),
    new OrganisationSigner(identity, config.TSA_URL, revocation),
    signingTime,
  );
}

class OrganisationSigner extends Signer {
  constructor(
    private readonly identity: SigningIdentity,
    private readonly tsaUrl: string | undefined,
    private readonly revocation: RevocationData,
  ) {
    super();
  }

  async sign(pdf: Buffer): Promise<Buffer> {
    const { tsaUrl } = this;
    const timestamp = tsaUrl
      ? async (signature: Buffer) => (await requestTimestamp(tsaUrl, signature)).token
      : undefined;
    return signDetached(pdf, this.identity, timestamp, this.revocation);
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
