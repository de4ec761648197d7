import "server-only";

import { createHash, sign } from "node:crypto";

import { bytesOf, children, Class, der, OID, parseDer, type Asn1 } from "./asn1";
import type { SigningIdentity } from "./signing-identity";

/**
 * A detached CMS SignedData for a PAdES baseline signature (ETSI EN 319 142-1):
 * SHA-256, signed attributes content-type, message-digest and
 * signing-certificate-v2 (no signing-time: the PDF's /M carries the claimed
 * time), every certificate of the chain embedded, and an optional
 * signature-time-stamp unsigned attribute over the signature value (B-T).
 * CRLs given in `revocation` go into the signed attribute
 * adbe-revocationInfoArchival (see seal.ts for why there and not in a DSS).
 */
export async function signDetached(
  content: Buffer,
  identity: Pick<SigningIdentity, "privateKey" | "chain">,
  timestamp?: (signatureValue: Buffer) => Promise<Buffer>,
  revocation?: { crls: Buffer[] },
): Promise<Buffer> {
  const [signer, ...rest] = identity.chain;
  const { issuer, serial } = issuerAndSerial(signer);
  const attributes = der.set([
    attribute(OID.contentType, der.oid(OID.data)),
    attribute(OID.messageDigest, der.octets(createHash("sha256").update(content).digest())),
    attribute(
      OID.signingCertificateV2,
      // SigningCertificateV2 { certs SEQUENCE OF ESSCertIDv2 { certHash, issuerSerial } }, SHA-256 by default.
      der.sequence([
        der.sequence([
          der.sequence([
            der.octets(createHash("sha256").update(signer).digest()),
            der.sequence([der.sequence([der.explicit(4, issuer)]), serial]),
          ]),
        ]),
      ]),
    ),
    ...(revocation?.crls.length
      ? // RevocationInfoArchival ::= SEQUENCE { crl [0] EXPLICIT SEQUENCE OF CertificateList, ... }
        [
          attribute(
            OID.revocationInfoArchival,
            der.sequence([der.explicit(0, der.sequence(revocation.crls.map((crl) => parseDer(crl))))]),
          ),
        ]
      : []),
  ]);
  const signedAttributes = bytesOf(attributes);
  const signature = sign("sha256", signedAttributes, identity.privateKey);

  const signerInfo: Asn1[] = [
    der.small(1),
    der.sequence([issuer, serial]),
    der.algorithm(OID.sha256),
    der.implicit(0, children(attributes)),
    der.algorithm(OID.rsaEncryption),
    der.octets(signature),
  ];
  if (timestamp) {
    const token = await timestamp(signature);
    signerInfo.push(der.implicit(1, [attribute(OID.signatureTimeStampToken, parseDer(token))]));
  }

  const signedData = der.sequence([
    der.small(1),
    der.set([der.algorithm(OID.sha256)]),
    der.sequence([der.oid(OID.data)]),
    der.implicit(
      0,
      [signer, ...rest].map((certificate) => parseDer(certificate)),
    ),
    der.set([der.sequence(signerInfo)]),
  ]);
  return bytesOf(der.sequence([der.oid(OID.signedData), der.explicit(0, signedData)]));
}

function attribute(type: string, value: Asn1): Asn1 {
  return der.sequence([der.oid(type), der.set([value])]);
}

/** The certificate's issuer Name and serialNumber, as the certificate encodes them. */
function issuerAndSerial(certificate: Buffer): { issuer: Asn1; serial: Asn1 } {
  const tbs = children(children(parseDer(certificate))[0]);
  const offset = tbs[0]?.tagClass === Class.CONTEXT_SPECIFIC ? 1 : 0;
  return { serial: tbs[offset], issuer: tbs[offset + 2] };
}
