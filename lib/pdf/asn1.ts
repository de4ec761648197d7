import forge from "node-forge";

/**
 * Small DER helpers over node-forge's ASN.1 reader and writer, shared by the
 * CMS seal, the RFC 3161 time-stamp client and the seal verifier.
 */

export const { Class, Type } = forge.asn1;

export type Asn1 = forge.asn1.Asn1;

export const OID = {
  signedData: "1.2.840.113549.1.7.2",
  data: "1.2.840.113549.1.7.1",
  contentType: "1.2.840.113549.1.9.3",
  messageDigest: "1.2.840.113549.1.9.4",
  signingTime: "1.2.840.113549.1.9.5",
  signingCertificate: "1.2.840.113549.1.9.16.2.12",
  signingCertificateV2: "1.2.840.113549.1.9.16.2.47",
  // id-aa-signatureTimeStampToken (RFC 3161 appendix A): over the SignerInfo's signature value.
  signatureTimeStampToken: "1.2.840.113549.1.9.16.2.14",
  tstInfo: "1.2.840.113549.1.9.16.1.4",
  sha256: "2.16.840.1.101.3.4.2.1",
  rsaEncryption: "1.2.840.113549.1.1.1",
  commonName: "2.5.4.3",
  authorityKeyIdentifier: "2.5.29.35",
  subjectKeyIdentifier: "2.5.29.14",
  extendedKeyUsage: "2.5.29.37",
  crlDistributionPoints: "2.5.29.31",
  // Adobe's signed attribute for revocation data inside the signature (PDF 1.7 / ISO 32000-1 §12.8.3.3.2).
  revocationInfoArchival: "1.2.840.113583.1.1.8",
  timeStamping: "1.3.6.1.5.5.7.3.8",
};

export const DIGESTS: Record<string, string> = {
  "1.3.14.3.2.26": "sha1",
  [OID.sha256]: "sha256",
  "2.16.840.1.101.3.4.2.2": "sha384",
  "2.16.840.1.101.3.4.2.3": "sha512",
};

// node-forge's types predate its options argument.
const fromDerWithOptions = forge.asn1.fromDer as unknown as (
  bytes: forge.util.ByteStringBuffer,
  options: { strict: boolean; parseAllBytes: boolean; decodeBitStrings: boolean },
) => Asn1;

/** Parses DER strictly: every byte, no BIT STRING guessing. Throws on malformed input. */
export function parseDer(der: Buffer): Asn1 {
  return fromDerWithOptions(forge.util.createBuffer(der.toString("binary")), {
    strict: true,
    parseAllBytes: true,
    decodeBitStrings: false,
  });
}

export function bytesOf(node: Asn1): Buffer {
  return Buffer.from(forge.asn1.toDer(node).getBytes(), "binary");
}

export function valueBytes(node: Asn1 | undefined): Buffer | null {
  return node && typeof node.value === "string" ? Buffer.from(node.value, "binary") : null;
}

export function oidOf(node: Asn1 | undefined): string | null {
  return node && node.tagClass === Class.UNIVERSAL && node.type === Type.OID && typeof node.value === "string"
    ? forge.asn1.derToOid(node.value)
    : null;
}

export function children(node: Asn1 | undefined): Asn1[] {
  return node && Array.isArray(node.value) ? (node.value as Asn1[]) : [];
}

export function is(node: Asn1 | undefined, tagClass: number, type: number, constructed: boolean): node is Asn1 {
  return node !== undefined && node.tagClass === tagClass && node.type === type && node.constructed === constructed;
}

export const sequence = (node: Asn1 | undefined): node is Asn1 => is(node, Class.UNIVERSAL, Type.SEQUENCE, true);
export const set = (node: Asn1 | undefined): node is Asn1 => is(node, Class.UNIVERSAL, Type.SET, true);
export const context = (node: Asn1 | undefined, n: number): node is Asn1 => is(node, Class.CONTEXT_SPECIFIC, n, true);

/** The INTEGER's value if it is the single byte `expected`. */
export function isSmallInteger(node: Asn1 | undefined, expected: number): boolean {
  const value = is(node, Class.UNIVERSAL, Type.INTEGER, false) ? valueBytes(node) : null;
  return value !== null && value.length === 1 && value[0] === expected;
}

/** An AlgorithmIdentifier: its OID, with absent or NULL parameters; null if malformed. */
export function algorithm(node: Asn1 | undefined): string | null {
  if (!sequence(node)) return null;
  const [oid, parameters, ...rest] = children(node);
  if (rest.length || (parameters && !(is(parameters, Class.UNIVERSAL, Type.NULL, false) && parameters.value === "")))
    return null;
  return oidOf(oid);
}

/** A GeneralizedTime or UTCTime node as a Date, or null. */
export function timeOf(node: Asn1 | undefined): Date | null {
  if (!node || typeof node.value !== "string") return null;
  const date =
    node.type === Type.UTCTIME
      ? forge.asn1.utcTimeToDate(node.value)
      : node.type === Type.GENERALIZEDTIME
        ? forge.asn1.generalizedTimeToDate(node.value)
        : null;
  return date && !Number.isNaN(date.getTime()) ? date : null;
}

// Builders.

export const der = {
  sequence: (items: Asn1[]) => forge.asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, items),
  set: (items: Asn1[]) => forge.asn1.create(Class.UNIVERSAL, Type.SET, true, sortedByEncoding(items)),
  oid: (oid: string) => forge.asn1.create(Class.UNIVERSAL, Type.OID, false, forge.asn1.oidToDer(oid).getBytes()),
  null: () => forge.asn1.create(Class.UNIVERSAL, Type.NULL, false, ""),
  octets: (bytes: Buffer) => forge.asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, bytes.toString("binary")),
  boolean: (value: boolean) => forge.asn1.create(Class.UNIVERSAL, Type.BOOLEAN, false, value ? "\xff" : "\x00"),
  /** A non-negative INTEGER from its unsigned big-endian bytes. */
  integer: (bytes: Buffer) => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    const trimmed = bytes.subarray(start);
    const value = trimmed[0] & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
    return forge.asn1.create(Class.UNIVERSAL, Type.INTEGER, false, value.toString("binary"));
  },
  small: (n: number) => forge.asn1.create(Class.UNIVERSAL, Type.INTEGER, false, String.fromCharCode(n)),
  /** [n] IMPLICIT over constructed content (e.g. SET OF). */
  implicit: (n: number, items: Asn1[]) => forge.asn1.create(Class.CONTEXT_SPECIFIC, n, true, items),
  explicit: (n: number, item: Asn1) => forge.asn1.create(Class.CONTEXT_SPECIFIC, n, true, [item]),
  raw: (bytes: Buffer) => parseDer(bytes),
  algorithm: (oid: string, nullParameters = true) =>
    der.sequence(nullParameters ? [der.oid(oid), der.null()] : [der.oid(oid)]),
};

/** DER wants the members of a SET OF in the order of their encodings. */
export function sortedByEncoding(items: Asn1[]): Asn1[] {
  return items
    .map((item) => ({ item, bytes: bytesOf(item) }))
    .sort((a, b) => Buffer.compare(a.bytes, b.bytes))
    .map(({ item }) => item);
}
