import { createHash, verify as verifySignature, X509Certificate } from "node:crypto";

import forge from "node-forge";

import {
  algorithm,
  bytesOf,
  children,
  Class,
  context,
  DIGESTS,
  is,
  isSmallInteger,
  OID,
  oidOf,
  parseDer,
  sequence,
  set,
  timeOf,
  Type,
  valueBytes,
  type Asn1,
} from "./asn1";
import { crlRevokes, crlSignedBy, parseCrl } from "./crl";
import { checkTimestampToken } from "./timestamp-token";

/**
 * What a sealed PDF says about itself. `intact` means the signature verifies
 * over the signed bytes, the byte ranges cover the whole file except the
 * signature itself, and the embedded certificate is unaltered — i.e. the file
 * is byte-for-byte what was sealed. It does not say the certificate is trusted.
 */
export type SealCheck = {
  signed: boolean;
  intact: boolean;
  coversWholeDocument: boolean;
  signerCommonName: string | null;
  signedAt: Date | null;
  /** The RFC 3161 time-stamp's time, when the seal carries one whose TSA signature and imprint check out. */
  timestampedAt: Date | null;
  /**
   * Long-term validation data (PAdES B-LT): the seal's signed attributes carry, for every embedded
   * certificate that has an issuer, a CRL signed by that issuer (also embedded) that does not list it.
   */
  longTermValidation: boolean;
};

const NOT_SIGNED: SealCheck = {
  signed: false,
  intact: false,
  coversWholeDocument: false,
  signerCommonName: null,
  signedAt: null,
  timestampedAt: null,
  longTermValidation: false,
};

// rsaEncryption, sha{256,384,512}WithRSAEncryption, ECDSA; RSASSA-PSS is not produced here and is refused.
const SIGNATURE_ALGORITHMS = new Set([
  "1.2.840.113549.1.1.1",
  "1.2.840.113549.1.1.11",
  "1.2.840.113549.1.1.12",
  "1.2.840.113549.1.1.13",
  "1.2.840.10045.4.3.2",
  "1.2.840.10045.4.3.3",
  "1.2.840.10045.4.3.4",
]);

/** Checks the last signature in a PDF (the seal). Never throws. */
export function verifySealedPdf(pdf: Uint8Array): SealCheck {
  try {
    return check(Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength));
  } catch {
    return NOT_SIGNED;
  }
}

/** The certificate that made a detached CMS signature, as a verifier reports it. */
export type DetachedSigner = {
  commonName: string | null;
  subject: string;
  fingerprint256: string;
  certificatePem: string;
};

/**
 * Checks a detached CMS SignedData (one signer, as signDetached writes it)
 * over `content`: the message digest, the signature over the signed
 * attributes, the embedded certificates and any time-stamp. Returns the
 * signer when all hold, null otherwise. Never throws. It does not say the
 * certificate is trusted: compare the fingerprint with the organisation's.
 */
export function verifyDetachedSignature(cms: Uint8Array, content: Uint8Array): DetachedSigner | null {
  try {
    const signed = parseSignedData(Buffer.from(cms));
    if (!signed || !signed.certificateUnaltered || signed.timestamp === false) return null;
    const digest = createHash(signed.digest).update(content).digest();
    if (!signed.messageDigest || !digest.equals(signed.messageDigest)) return null;
    if (!verifySignature(signed.digest, signed.signedAttributes, signed.certificate.publicKey, signed.signature))
      return null;
    return {
      commonName: signed.commonName,
      subject: signed.certificate.subject,
      fingerprint256: signed.certificate.fingerprint256,
      certificatePem: signed.certificate.toString(),
    };
  } catch {
    return null;
  }
}

function check(file: Buffer): SealCheck {
  const text = file.toString("latin1");
  const matches = [...text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)];
  const last = matches[matches.length - 1];
  if (!last) return NOT_SIGNED;
  const [a, b, c, d] = last.slice(1, 5).map(Number);
  if (![a, b, c, d].every(Number.isSafeInteger) || b <= a || c <= b + 1 || c + d > file.length) return NOT_SIGNED;
  // The gap between the two ranges is the signature: "<hex>".
  if (file[b] !== 0x3c || file[c - 1] !== 0x3e) return NOT_SIGNED;
  const hex = text.slice(b + 1, c - 1);
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0 || /^0*$/.test(hex)) return NOT_SIGNED;

  const coversWholeDocument = a === 0 && c + d === file.length;
  const result: SealCheck = {
    signed: true,
    intact: false,
    coversWholeDocument,
    signerCommonName: null,
    signedAt: null,
    timestampedAt: null,
    longTermValidation: false,
  };

  // One spelling only: a changed letter case would otherwise decode to the same bytes.
  if (hex !== hex.toLowerCase() && hex !== hex.toUpperCase()) return result;
  const blob = Buffer.from(hex, "hex");
  const length = derLength(blob);
  if (length === undefined || length > blob.length || blob.subarray(length).some((byte) => byte !== 0)) return result;

  const signed = parseSignedData(blob.subarray(0, length));
  if (!signed) return result;
  result.signerCommonName = signed.commonName;
  // A PAdES seal has no signing-time attribute: the claimed time is the signature dictionary's /M, which is signed.
  result.signedAt = signed.signingTime ?? claimedTime(text.slice(c, c + 4096));
  result.timestampedAt = signed.timestamp ? signed.timestamp.genTime : null;
  result.longTermValidation = signed.longTermValidation;

  const digest = createHash(signed.digest)
    .update(file.subarray(a, a + b))
    .update(file.subarray(c, c + d))
    .digest();
  const digestMatches = signed.messageDigest !== null && digest.equals(signed.messageDigest);
  const signatureValid = verifySignature(
    signed.digest,
    signed.signedAttributes,
    signed.certificate.publicKey,
    signed.signature,
  );
  result.intact =
    coversWholeDocument && digestMatches && signatureValid && signed.certificateUnaltered && signed.timestamp !== false;
  return result;
}

/** The signature dictionary's /M (D:YYYYMMDDHHmmSS with Z or an offset), or null. */
function claimedTime(dictionary: string): Date | null {
  const m = /\/M\s*\(D:(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(Z|[+-]\d{2}'\d{2}'?)?\)/.exec(dictionary);
  if (!m) return null;
  const zone = !m[7] || m[7] === "Z" ? "Z" : `${m[7].slice(0, 3)}:${m[7].slice(4, 6)}`;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${zone}`);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Total length of the DER element at the start of `bytes`, from its header. */
function derLength(bytes: Buffer): number | undefined {
  if (bytes.length < 2 || bytes[0] !== 0x30) return undefined;
  const first = bytes[1];
  if (first < 0x80) return 2 + first;
  const count = first & 0x7f;
  if (count === 0 || count > 4 || bytes.length < 2 + count) return undefined;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + bytes[2 + i];
  return 2 + count + length;
}

type SignedData = {
  digest: string;
  messageDigest: Buffer | null;
  signingTime: Date | null;
  /** null: none; false: present but it does not check out. */
  timestamp: { genTime: Date } | null | false;
  signedAttributes: Buffer;
  signature: Buffer;
  certificate: X509Certificate;
  certificateUnaltered: boolean;
  commonName: string | null;
  longTermValidation: boolean;
};

/**
 * Reads a CMS/PKCS#7 SignedData with one signer, as @signpdf writes it, or
 * null. Every field that the signature does not cover is checked for its
 * exact form, so that no byte of the blob can change unnoticed.
 */
function parseSignedData(der: Buffer): SignedData | null {
  const root = parseDer(der);
  // Canonical DER only: a re-encoding must give back the same bytes.
  if (!bytesOf(root).equals(der) || !sequence(root)) return null;
  const [contentType, wrapped, ...extra] = children(root);
  if (extra.length || oidOf(contentType) !== OID.signedData || !context(wrapped, 0) || children(wrapped).length !== 1)
    return null;
  const signedData = children(wrapped)[0];
  if (!sequence(signedData)) return null;
  const [version, digestAlgorithms, encapsulated, ...rest] = children(signedData);
  const signerInfos = rest.pop();
  const certificateSet = rest.shift();
  if (
    rest.length ||
    !isSmallInteger(version, 1) ||
    !set(digestAlgorithms) ||
    !context(certificateSet, 0) ||
    !set(signerInfos)
  )
    return null;
  // Detached: the encapsulated content is id-data with no content.
  if (!sequence(encapsulated) || children(encapsulated).length !== 1 || oidOf(children(encapsulated)[0]) !== OID.data)
    return null;
  if (children(signerInfos).length !== 1 || !sequence(children(signerInfos)[0])) return null;

  const info = children(children(signerInfos)[0]);
  if (info.length !== 6 && info.length !== 7) return null;
  const [infoVersion, sid, digestAlgorithm, attributes, signatureAlgorithm, signature, unsigned] = info;
  if (
    !isSmallInteger(infoVersion, 1) ||
    !context(attributes, 0) ||
    !is(signature, Class.UNIVERSAL, Type.OCTETSTRING, false)
  )
    return null;
  const digestOid = algorithm(digestAlgorithm);
  const digest = DIGESTS[digestOid ?? ""];
  const declared = children(digestAlgorithms).map(algorithm);
  if (!digest || digest === "sha1" || declared.length !== 1 || declared[0] !== digestOid) return null;
  if (!SIGNATURE_ALGORITHMS.has(algorithm(signatureAlgorithm) ?? "")) return null;
  const signatureBytes = valueBytes(signature);
  if (!signatureBytes) return null;

  let messageDigest: Buffer | null = null;
  let signingTime: Date | null = null;
  let contentTypeOk = false;
  let revocationInfo: Asn1 | undefined;
  for (const attribute of children(attributes)) {
    const [type, values] = children(attribute);
    const value = children(values)[0];
    const oid = oidOf(type);
    if (oid === OID.messageDigest && is(value, Class.UNIVERSAL, Type.OCTETSTRING, false))
      messageDigest = valueBytes(value);
    else if (oid === OID.contentType) contentTypeOk = oidOf(value) === OID.data;
    else if (oid === OID.signingTime) signingTime = timeOf(value);
    else if (oid === OID.revocationInfoArchival) revocationInfo = value;
  }
  if (!contentTypeOk) return null;
  const timestamp = unsigned === undefined ? null : readTimestamp(unsigned, signatureBytes);
  if (timestamp === undefined) return null;

  // The signer's certificate: the one whose issuer and serial number the signer names.
  const sidParts = children(sid);
  if (
    !sequence(sid) ||
    sidParts.length !== 2 ||
    !sequence(sidParts[0]) ||
    !is(sidParts[1], Class.UNIVERSAL, Type.INTEGER, false)
  )
    return null;
  const [sidIssuer, sidSerial] = sidParts;
  const candidates = children(certificateSet).map((node) => {
    const tbs = children(children(node)[0]);
    const offset = tbs[0]?.tagClass === Class.CONTEXT_SPECIFIC ? 1 : 0;
    const extensions = children(children(tbs.find((n) => context(n, 3)))[0]);
    return {
      x509: new X509Certificate(bytesOf(node)),
      serial: valueBytes(tbs[offset]),
      issuer: bytesOf(tbs[offset + 2]),
      subject: bytesOf(tbs[offset + 4]),
      names: tbs[offset + 4],
      hasAuthorityKeyId: extensions.some((extension) => oidOf(children(extension)[0]) === OID.authorityKeyIdentifier),
    };
  });
  const wantedIssuer = bytesOf(sidIssuer);
  const wantedSerial = valueBytes(sidSerial);
  const signer = candidates.find(
    (c) => wantedSerial !== null && c.serial?.equals(wantedSerial) && c.issuer.equals(wantedIssuer),
  );
  if (!signer) return null;
  // The certificates are not covered by the signature, so each must verify
  // against its issuer where the file holds it. One without an authority key
  // identifier is self-signed (RFC 5280 requires the extension otherwise) and
  // must verify against itself, whatever its names now say. A CA-issued
  // certificate whose issuer is not in the file cannot be checked here.
  // Names are compared as bytes: X509Certificate.checkIssued also wants
  // keyCertSign, which a sealing certificate does not have.
  const unaltered = candidates.every((c) => {
    const issuer = candidates.find((other) => other.subject.equals(c.issuer));
    if (issuer) return c.x509.verify(issuer.x509.publicKey);
    return c.hasAuthorityKeyId || c.x509.verify(c.x509.publicKey);
  });

  // The signed attributes are signed as a SET OF, not with their [0] tag.
  const signedAttributes = bytesOf(forge.asn1.create(Class.UNIVERSAL, Type.SET, true, children(attributes)));

  return {
    digest,
    messageDigest,
    signingTime,
    timestamp,
    signedAttributes,
    signature: signatureBytes,
    certificate: signer.x509,
    certificateUnaltered: unaltered,
    commonName: commonNameOf(signer.names),
    longTermValidation: unaltered && coveredByCrls(revocationInfo, candidates),
  };
}

/**
 * The unsigned attributes a seal may carry: exactly one signature-time-stamp
 * token over the signature value. undefined: anything else (malformed);
 * false: a token that does not check out.
 */
function readTimestamp(unsigned: Asn1, signature: Buffer): { genTime: Date } | false | undefined {
  const attributes = children(unsigned);
  if (!context(unsigned, 1) || attributes.length !== 1) return undefined;
  const [type, values, ...extra] = children(attributes[0]);
  if (extra.length || oidOf(type) !== OID.signatureTimeStampToken || !set(values) || children(values).length !== 1)
    return undefined;
  const check = checkTimestampToken(bytesOf(children(values)[0]), signature);
  return check.ok ? { genTime: check.facts.genTime } : false;
}

/**
 * Whether adbe-revocationInfoArchival holds, for every certificate that is not self-issued, a CRL
 * from its issuer (found among `certificates` and verifying its signature) that does not revoke it.
 */
function coveredByCrls(
  revocationInfo: Asn1 | undefined,
  certificates: { x509: X509Certificate; serial: Buffer | null; issuer: Buffer; subject: Buffer }[],
): boolean {
  if (!sequence(revocationInfo)) return false;
  const crlSet = children(revocationInfo).find((n) => context(n, 0));
  const crls = children(children(crlSet)[0]).map((node) => parseCrl(bytesOf(node)));
  if (crls.length === 0 || crls.some((crl) => crl === null)) return false;
  return certificates
    .filter((c) => !c.issuer.equals(c.subject))
    .every((c) => {
      const issuer = certificates.find((other) => other.subject.equals(c.issuer));
      return (
        issuer !== undefined &&
        c.serial !== null &&
        crls.some(
          (crl) =>
            crl !== null &&
            crl.issuer.equals(c.issuer) &&
            crlSignedBy(crl, issuer.x509.publicKey) &&
            !crlRevokes(crl, c.serial!),
        )
      );
    });
}

function commonNameOf(name: Asn1 | undefined): string | null {
  for (const rdn of children(name)) {
    for (const attribute of children(rdn)) {
      const [type, value] = children(attribute);
      if (oidOf(type) !== OID.commonName || typeof value?.value !== "string") continue;
      const raw = Buffer.from(value.value, "binary");
      if (value.type === Type.BMPSTRING) return raw.swap16().toString("utf16le");
      return value.type === Type.UTF8 ? raw.toString("utf8") : raw.toString("latin1");
    }
  }
  return null;
}
