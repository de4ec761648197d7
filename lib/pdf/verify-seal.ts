import { createHash, verify as verifySignature, X509Certificate } from "node:crypto";

import forge from "node-forge";

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
};

const NOT_SIGNED: SealCheck = {
  signed: false,
  intact: false,
  coversWholeDocument: false,
  signerCommonName: null,
  signedAt: null,
};

const OID = {
  signedData: "1.2.840.113549.1.7.2",
  data: "1.2.840.113549.1.7.1",
  contentType: "1.2.840.113549.1.9.3",
  messageDigest: "1.2.840.113549.1.9.4",
  signingTime: "1.2.840.113549.1.9.5",
  commonName: "2.5.4.3",
  authorityKeyIdentifier: "2.5.29.35",
};

const DIGESTS: Record<string, string> = {
  "2.16.840.1.101.3.4.2.1": "sha256",
  "2.16.840.1.101.3.4.2.2": "sha384",
  "2.16.840.1.101.3.4.2.3": "sha512",
};

// rsaEncryption, sha{256,384,512}WithRSAEncryption, RSASSA-PSS is not produced by @signpdf and is refused.
const SIGNATURE_ALGORITHMS = new Set([
  "1.2.840.113549.1.1.1",
  "1.2.840.113549.1.1.11",
  "1.2.840.113549.1.1.12",
  "1.2.840.113549.1.1.13",
  "1.2.840.10045.4.3.2",
  "1.2.840.10045.4.3.3",
  "1.2.840.10045.4.3.4",
]);

const { Class, Type } = forge.asn1;

type Asn1 = forge.asn1.Asn1;

// node-forge's types predate its options argument.
const fromDer = forge.asn1.fromDer as unknown as (
  bytes: forge.util.ByteStringBuffer,
  options: { strict: boolean; parseAllBytes: boolean; decodeBitStrings: boolean },
) => Asn1;

/** Checks the last signature in a PDF (the seal). Never throws. */
export function verifySealedPdf(pdf: Uint8Array): SealCheck {
  try {
    return check(Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength));
  } catch {
    return NOT_SIGNED;
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
  };

  // One spelling only: a changed letter case would otherwise decode to the same bytes.
  if (hex !== hex.toLowerCase() && hex !== hex.toUpperCase()) return result;
  const blob = Buffer.from(hex, "hex");
  const length = derLength(blob);
  if (length === undefined || length > blob.length || blob.subarray(length).some((byte) => byte !== 0)) return result;

  const signed = parseSignedData(blob.subarray(0, length));
  if (!signed) return result;
  result.signerCommonName = signed.commonName;
  result.signedAt = signed.signingTime;

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
  result.intact = coversWholeDocument && digestMatches && signatureValid && signed.certificateUnaltered;
  return result;
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

function bytesOf(node: Asn1): Buffer {
  return Buffer.from(forge.asn1.toDer(node).getBytes(), "binary");
}

function valueBytes(node: Asn1 | undefined): Buffer | null {
  return node && typeof node.value === "string" ? Buffer.from(node.value, "binary") : null;
}

function oidOf(node: Asn1 | undefined): string | null {
  return node && node.tagClass === Class.UNIVERSAL && node.type === Type.OID && typeof node.value === "string"
    ? forge.asn1.derToOid(node.value)
    : null;
}

function children(node: Asn1 | undefined): Asn1[] {
  return node && Array.isArray(node.value) ? (node.value as Asn1[]) : [];
}

type SignedData = {
  digest: string;
  messageDigest: Buffer | null;
  signingTime: Date | null;
  signedAttributes: Buffer;
  signature: Buffer;
  certificate: X509Certificate;
  certificateUnaltered: boolean;
  commonName: string | null;
};

function is(node: Asn1 | undefined, tagClass: number, type: number, constructed: boolean): node is Asn1 {
  return node !== undefined && node.tagClass === tagClass && node.type === type && node.constructed === constructed;
}

const sequence = (node: Asn1 | undefined): node is Asn1 => is(node, Class.UNIVERSAL, Type.SEQUENCE, true);
const set = (node: Asn1 | undefined): node is Asn1 => is(node, Class.UNIVERSAL, Type.SET, true);
const context = (node: Asn1 | undefined, n: number): node is Asn1 => is(node, Class.CONTEXT_SPECIFIC, n, true);

/** The INTEGER's value if it is the single byte `expected`. */
function isSmallInteger(node: Asn1 | undefined, expected: number): boolean {
  const value = is(node, Class.UNIVERSAL, Type.INTEGER, false) ? valueBytes(node) : null;
  return value !== null && value.length === 1 && value[0] === expected;
}

/** An AlgorithmIdentifier: its OID, with absent or NULL parameters; null if malformed. */
function algorithm(node: Asn1 | undefined): string | null {
  if (!sequence(node)) return null;
  const [oid, parameters, ...rest] = children(node);
  if (rest.length || (parameters && !(is(parameters, Class.UNIVERSAL, Type.NULL, false) && parameters.value === "")))
    return null;
  return oidOf(oid);
}

/**
 * Reads a CMS/PKCS#7 SignedData with one signer, as @signpdf writes it, or
 * null. Every field that the signature does not cover is checked for its
 * exact form, so that no byte of the blob can change unnoticed.
 */
function parseSignedData(der: Buffer): SignedData | null {
  const root = fromDer(forge.util.createBuffer(der.toString("binary")), {
    strict: true,
    parseAllBytes: true,
    decodeBitStrings: false,
  });
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
  if (info.length !== 6) return null;
  const [infoVersion, sid, digestAlgorithm, attributes, signatureAlgorithm, signature] = info;
  if (
    !isSmallInteger(infoVersion, 1) ||
    !context(attributes, 0) ||
    !is(signature, Class.UNIVERSAL, Type.OCTETSTRING, false)
  )
    return null;
  const digestOid = algorithm(digestAlgorithm);
  const digest = DIGESTS[digestOid ?? ""];
  const declared = children(digestAlgorithms).map(algorithm);
  if (!digest || declared.length !== 1 || declared[0] !== digestOid) return null;
  if (!SIGNATURE_ALGORITHMS.has(algorithm(signatureAlgorithm) ?? "")) return null;
  const signatureBytes = valueBytes(signature);
  if (!signatureBytes) return null;

  let messageDigest: Buffer | null = null;
  let signingTime: Date | null = null;
  let contentTypeOk = false;
  for (const attribute of children(attributes)) {
    const [type, values] = children(attribute);
    const value = children(values)[0];
    const oid = oidOf(type);
    if (oid === OID.messageDigest && is(value, Class.UNIVERSAL, Type.OCTETSTRING, false))
      messageDigest = valueBytes(value);
    else if (oid === OID.contentType) contentTypeOk = oidOf(value) === OID.data;
    else if (oid === OID.signingTime && typeof value?.value === "string") {
      signingTime =
        value.type === Type.UTCTIME
          ? forge.asn1.utcTimeToDate(value.value)
          : forge.asn1.generalizedTimeToDate(value.value);
    }
  }
  if (!contentTypeOk) return null;

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
    signingTime: signingTime && !Number.isNaN(signingTime.getTime()) ? signingTime : null,
    signedAttributes,
    signature: signatureBytes,
    certificate: signer.x509,
    certificateUnaltered: unaltered,
    commonName: commonNameOf(signer.names),
  };
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
