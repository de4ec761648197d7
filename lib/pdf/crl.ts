import { verify as verifySignature, type KeyObject } from "node:crypto";

import {
  algorithm,
  bytesOf,
  children,
  Class,
  context,
  is,
  OID,
  oidOf,
  parseDer,
  sequence,
  timeOf,
  Type,
  valueBytes,
  type Asn1,
} from "./asn1";

/**
 * X.509 certificate revocation lists (RFC 5280 §5), read with the DER helpers:
 * what a seal needs to embed revocation data and to check it. Pure; no I/O.
 */
export type Crl = {
  der: Buffer;
  /** The issuer Name as encoded, to compare with a certificate's issuer bytes. */
  issuer: Buffer;
  thisUpdate: Date;
  nextUpdate: Date | null;
  revokedSerials: Buffer[];
  tbs: Buffer;
  digest: string;
  signature: Buffer;
};

// sha{256,384,512}WithRSAEncryption and ecdsa-with-SHA{256,384,512}: the digest each signs with.
const SIGNATURE_DIGESTS: Record<string, string> = {
  "1.2.840.113549.1.1.11": "sha256",
  "1.2.840.113549.1.1.12": "sha384",
  "1.2.840.113549.1.1.13": "sha512",
  "1.2.840.10045.4.3.2": "sha256",
  "1.2.840.10045.4.3.3": "sha384",
  "1.2.840.10045.4.3.4": "sha512",
};

/** A DER CertificateList, or null when the bytes are not one (or not canonical DER). */
export function parseCrl(der: Buffer): Crl | null {
  let root: Asn1;
  try {
    root = parseDer(der);
  } catch {
    return null;
  }
  if (!sequence(root) || !bytesOf(root).equals(der)) return null;
  const [tbsList, signatureAlgorithm, signatureValue, ...extra] = children(root);
  if (extra.length || !sequence(tbsList) || !is(signatureValue, Class.UNIVERSAL, Type.BITSTRING, false)) return null;
  const digest = SIGNATURE_DIGESTS[algorithm(signatureAlgorithm) ?? ""];
  const bits = valueBytes(signatureValue);
  if (!digest || !bits || bits[0] !== 0) return null;

  const fields = children(tbsList);
  const offset = is(fields[0], Class.UNIVERSAL, Type.INTEGER, false) ? 1 : 0;
  const [, issuer, thisUpdateNode, ...rest] = fields.slice(offset);
  const thisUpdate = timeOf(thisUpdateNode);
  if (!sequence(issuer) || !thisUpdate) return null;
  const nextUpdate = rest[0] && !sequence(rest[0]) && !context(rest[0], 0) ? timeOf(rest.shift()) : null;
  const revoked = rest[0] && sequence(rest[0]) ? children(rest.shift()) : [];
  const revokedSerials = revoked.map((entry) => valueBytes(children(entry)[0])).filter((s): s is Buffer => !!s);
  return {
    der,
    issuer: bytesOf(issuer),
    thisUpdate,
    nextUpdate,
    revokedSerials: revokedSerials.map(stripZeros),
    tbs: bytesOf(tbsList),
    digest,
    signature: bits.subarray(1),
  };
}

/** Whether `key` (the issuer's public key) made the CRL's signature. Never throws. */
export function crlSignedBy(crl: Crl, key: KeyObject): boolean {
  try {
    return verifySignature(crl.digest, crl.tbs, key, crl.signature);
  } catch {
    return false;
  }
}

/** Whether the CRL lists the serial number (unsigned big-endian bytes, as a certificate carries it). */
export function crlRevokes(crl: Crl, serial: Buffer): boolean {
  const wanted = stripZeros(serial);
  return crl.revokedSerials.some((s) => s.equals(wanted));
}

/** What a certificate says about itself that revocation checking needs: names as bytes, serial, CRL URLs. */
export type CertificateFacts = {
  serial: Buffer;
  issuer: Buffer;
  subject: Buffer;
  selfIssued: boolean;
  /** http(s) URIs of its CRL distribution points (RFC 5280 §4.2.1.13), in the order it lists them. */
  crlUrls: string[];
};

export function certificateFacts(certificate: Buffer): CertificateFacts {
  const tbs = children(children(parseDer(certificate))[0]);
  const offset = tbs[0]?.tagClass === Class.CONTEXT_SPECIFIC ? 1 : 0;
  const issuer = bytesOf(tbs[offset + 2]);
  const subject = bytesOf(tbs[offset + 4]);
  const extensions = children(children(tbs.find((n) => context(n, 3)))[0]);
  const crlUrls: string[] = [];
  for (const extension of extensions) {
    const parts = children(extension);
    if (oidOf(parts[0]) !== OID.crlDistributionPoints) continue;
    const value = valueBytes(parts[parts.length - 1]);
    if (!value) continue;
    for (const point of children(parseDer(value))) {
      // DistributionPoint { distributionPoint [0] { fullName [0] GeneralNames } }; a URI is GeneralName [6].
      const name = children(point).find((n) => context(n, 0));
      const fullName = children(name).find((n) => context(n, 0));
      for (const general of children(fullName)) {
        if (general.tagClass !== Class.CONTEXT_SPECIFIC || general.type !== 6 || general.constructed) continue;
        const uri = valueBytes(general)?.toString("latin1") ?? "";
        if (/^https?:\/\//i.test(uri) && URL.canParse(uri)) crlUrls.push(uri);
      }
    }
  }
  return {
    serial: stripZeros(valueBytes(tbs[offset]) ?? Buffer.alloc(0)),
    issuer,
    subject,
    selfIssued: issuer.equals(subject),
    crlUrls,
  };
}

function stripZeros(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return bytes.subarray(start);
}
