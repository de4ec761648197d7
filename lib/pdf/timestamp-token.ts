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

/** What an RFC 3161 time-stamp token says, once its signature and imprint are checked. */
export type TimestampFacts = {
  genTime: Date;
  tsaCommonName: string | null;
  nonce: Buffer | null;
  serial: Buffer;
};

export type TokenCheck = { ok: true; facts: TimestampFacts } | { ok: false; reason: string };

const SIGNATURE_ALGORITHMS = new Set([
  OID.rsaEncryption,
  "1.2.840.113549.1.1.11",
  "1.2.840.113549.1.1.12",
  "1.2.840.113549.1.1.13",
  "1.2.840.10045.4.3.2",
  "1.2.840.10045.4.3.3",
  "1.2.840.10045.4.3.4",
]);

const fail = (reason: string): TokenCheck => ({ ok: false, reason });

/**
 * Checks a TimeStampToken (a CMS SignedData over a TSTInfo) against the bytes
 * it should stamp: the imprint must be their hash, the TSA's signature must
 * verify with the certificate the token carries, and that certificate must be
 * for time-stamping and valid at the stamped time. It does not decide whether
 * the TSA is trusted: that is the relying party's trust list.
 */
export function checkTimestampToken(token: Buffer, stamped: Buffer): TokenCheck {
  let root: Asn1;
  try {
    root = parseDer(token);
  } catch {
    return fail("the token is not DER");
  }
  const [contentType, wrapped] = children(root);
  if (!sequence(root) || oidOf(contentType) !== OID.signedData || !context(wrapped, 0))
    return fail("the token is not a CMS SignedData");
  const signedData = children(wrapped)[0];
  const parts = children(signedData);
  const encapsulated = parts[2];
  const signerInfos = parts[parts.length - 1];
  const certificateSet = parts.slice(3, -1).find((n) => context(n, 0));
  const [eContentType, eContentWrapper] = children(encapsulated);
  if (!sequence(encapsulated) || oidOf(eContentType) !== OID.tstInfo || !context(eContentWrapper, 0))
    return fail("the token does not hold a TSTInfo");
  const eContent = children(eContentWrapper)[0];
  const tstInfoDer = is(eContent, Class.UNIVERSAL, Type.OCTETSTRING, false) ? valueBytes(eContent) : null;
  if (!tstInfoDer) return fail("the token's TSTInfo is not an OCTET STRING");

  const tst = readTstInfo(tstInfoDer);
  if (!tst) return fail("the TSTInfo is malformed");
  const imprintDigest = DIGESTS[tst.imprintAlgorithm];
  if (!imprintDigest || imprintDigest === "sha1") return fail("the imprint uses a hash that is not accepted");
  if (!createHash(imprintDigest).update(stamped).digest().equals(tst.imprint))
    return fail("the token stamps other data (imprint mismatch)");

  if (!set(signerInfos) || children(signerInfos).length !== 1) return fail("the token has no single signer");
  const info = children(children(signerInfos)[0]);
  const [, sid, digestAlgorithm, attributes, signatureAlgorithm, signature] = info;
  const digest = DIGESTS[algorithm(digestAlgorithm) ?? ""];
  if (!digest || digest === "sha1") return fail("the token's digest algorithm is not accepted");
  if (!context(attributes, 0)) return fail("the token has no signed attributes");
  if (!SIGNATURE_ALGORITHMS.has(algorithm(signatureAlgorithm) ?? ""))
    return fail("unsupported TSA signature algorithm");
  const signatureBytes = is(signature, Class.UNIVERSAL, Type.OCTETSTRING, false) ? valueBytes(signature) : null;
  if (!signatureBytes) return fail("the token's signature is malformed");

  let messageDigest: Buffer | null = null;
  let contentTypeOk = false;
  for (const attribute of children(attributes)) {
    const [type, values] = children(attribute);
    const value = children(values)[0];
    const oid = oidOf(type);
    if (oid === OID.messageDigest) messageDigest = valueBytes(value);
    else if (oid === OID.contentType) contentTypeOk = oidOf(value) === OID.tstInfo;
  }
  if (!contentTypeOk || !messageDigest) return fail("the token's signed attributes are incomplete");
  if (!createHash(digest).update(tstInfoDer).digest().equals(messageDigest))
    return fail("the token's TSTInfo does not match its signature");

  const certificates = children(certificateSet).flatMap((node) => {
    try {
      return [new X509Certificate(bytesOf(node))];
    } catch {
      return [];
    }
  });
  const tsa = certificates.find((certificate) => identifies(sid, certificate));
  if (!tsa) return fail("the token does not carry the TSA's certificate");
  // Signed as a SET OF, not with their [0] tag.
  const signedAttributes = bytesOf(forge.asn1.create(Class.UNIVERSAL, Type.SET, true, children(attributes)));
  if (!verifySignature(digest, signedAttributes, tsa.publicKey, signatureBytes))
    return fail("the TSA's signature does not verify");
  if (!(tsa.keyUsage ?? []).includes(OID.timeStamping)) return fail("the TSA's certificate is not for time-stamping");
  if (tst.genTime < new Date(tsa.validFrom) || tst.genTime > new Date(tsa.validTo))
    return fail("the TSA's certificate was not valid at the stamped time");

  return {
    ok: true,
    facts: { genTime: tst.genTime, tsaCommonName: commonName(tsa), nonce: tst.nonce, serial: tst.serial },
  };
}

function readTstInfo(
  bytes: Buffer,
): { imprintAlgorithm: string; imprint: Buffer; serial: Buffer; genTime: Date; nonce: Buffer | null } | null {
  try {
    const node = parseDer(bytes);
    const [version, policy, imprint, serial, genTime, ...optional] = children(node);
    const [hashAlgorithm, hashed] = children(imprint);
    const time = is(genTime, Class.UNIVERSAL, Type.GENERALIZEDTIME, false) ? timeOf(genTime) : null;
    const imprintAlgorithm = algorithm(hashAlgorithm);
    const imprintBytes = valueBytes(hashed);
    const serialBytes = is(serial, Class.UNIVERSAL, Type.INTEGER, false) ? valueBytes(serial) : null;
    if (!sequence(node) || !is(version, Class.UNIVERSAL, Type.INTEGER, false) || !oidOf(policy)) return null;
    if (!time || !imprintAlgorithm || !imprintBytes || !serialBytes) return null;
    const nonceNode = optional.find((n) => is(n, Class.UNIVERSAL, Type.INTEGER, false));
    return {
      imprintAlgorithm,
      imprint: imprintBytes,
      serial: serialBytes,
      genTime: time,
      nonce: nonceNode ? valueBytes(nonceNode) : null,
    };
  } catch {
    return null;
  }
}

/** Whether a SignerIdentifier (issuer and serial, or [0] subject key identifier) names this certificate. */
function identifies(sid: Asn1 | undefined, certificate: X509Certificate): boolean {
  if (sequence(sid)) {
    const [issuer, serial] = children(sid);
    const serialHex = valueBytes(serial)
      ?.toString("hex")
      .replace(/^(00)+(?=.)/, "");
    if (!serialHex || serialHex.toUpperCase() !== certificate.serialNumber.replace(/^(00)+(?=.)/, "").toUpperCase())
      return false;
    const tbs = children(children(parseDer(certificate.raw))[0]);
    const offset = tbs[0]?.tagClass === Class.CONTEXT_SPECIFIC ? 1 : 0;
    return bytesOf(tbs[offset + 2]).equals(bytesOf(issuer));
  }
  if (is(sid, Class.CONTEXT_SPECIFIC, 0, false)) {
    const wanted = valueBytes(sid);
    return wanted !== null && subjectKeyIdentifier(certificate)?.equals(wanted) === true;
  }
  return false;
}

function subjectKeyIdentifier(certificate: X509Certificate): Buffer | null {
  const tbs = children(children(parseDer(certificate.raw))[0]);
  const extensions = children(children(tbs.find((n) => context(n, 3)))[0]);
  for (const extension of extensions) {
    const parts = children(extension);
    if (oidOf(parts[0]) !== OID.subjectKeyIdentifier) continue;
    const inner = valueBytes(parts[parts.length - 1]);
    return inner ? valueBytes(parseDer(inner)) : null;
  }
  return null;
}

function commonName(certificate: X509Certificate): string | null {
  const line = certificate.subject.split("\n").find((l) => l.startsWith("CN="));
  return line ? line.slice(3) : null;
}
