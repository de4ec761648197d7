import "server-only";

import { createPrivateKey, generateKeyPairSync, randomBytes, X509Certificate, type KeyObject } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";

import forge from "node-forge";

import { env } from "@/lib/env";
import { MINUTE } from "@/lib/time";

/**
 * The organisation's document-sealing certificate and key, as a PKCS#12 file,
 * and opened: the key and certificate also sign audit checkpoints.
 */
export type SigningIdentity = {
  p12: Buffer;
  passphrase: string;
  commonName: string;
  selfSigned: boolean;
  privateKey: KeyObject;
  certificatePem: string;
  /** DER certificates for the seal: the signer's first, then the rest of the chain the P12 holds. */
  chain: Buffer[];
};

let cached: SigningIdentity | undefined;

/**
 * The configured P12 (SIGNING_P12_PATH, SIGNING_P12_PASSPHRASE), or else a
 * self-signed development certificate made once under the data directory.
 * Read once per process.
 */
export function getSigningIdentity(): SigningIdentity {
  cached ??= load();
  return cached;
}

/** Tests that switch configuration between runs. */
export function resetSigningIdentityForTests(): void {
  cached = undefined;
}

function load(): SigningIdentity {
  const config = env();
  if (config.SIGNING_P12_PATH) {
    let p12: Buffer;
    try {
      p12 = readFileSync(config.SIGNING_P12_PATH);
    } catch {
      throw new Error(`SIGNING_P12_PATH: cannot read ${config.SIGNING_P12_PATH}`);
    }
    return describe(p12, config.SIGNING_P12_PASSPHRASE ?? "", "SIGNING_P12_PATH");
  }
  return developmentIdentity(config.dataDir, `${config.ORG_NAME} document sealing`, config.ORG_NAME);
}

/** Opens the P12 to check the passphrase and find the certificate that matches the key. */
function describe(p12: Buffer, passphrase: string, source: string): SigningIdentity {
  let store: forge.pkcs12.Pkcs12Pfx;
  try {
    store = forge.pkcs12.pkcs12FromAsn1(
      forge.asn1.fromDer(forge.util.createBuffer(p12.toString("binary"))),
      false,
      passphrase,
    );
  } catch {
    throw new Error(`${source}: cannot open the PKCS#12 file (wrong passphrase, or not a .p12/.pfx file)`);
  }
  const keyBag =
    store.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag]?.[0] ??
    store.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag]?.[0];
  const key = keyBag?.key as forge.pki.rsa.PrivateKey | undefined;
  if (!key) throw new Error(`${source}: the PKCS#12 file holds no RSA private key`);
  const certs = (store.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [])
    .map((b) => b.cert)
    .filter((c): c is forge.pki.Certificate => Boolean(c));
  const cert = certs.find((c) => {
    const pub = c.publicKey as forge.pki.rsa.PublicKey;
    return pub.n?.equals(key.n) && pub.e?.equals(key.e);
  });
  if (!cert) throw new Error(`${source}: no certificate in the PKCS#12 file matches its private key`);
  if (!namesRoundTrip(cert)) {
    throw new Error(
      `${source}: the certificate's names use non-ASCII UTF8String text, which the PDF signer (node-forge) cannot reproduce; seals would not verify`,
    );
  }
  const commonName = certificateCommonName(cert);
  const privateKey = createPrivateKey(forge.pki.privateKeyToPem(key));
  // Node's rendering of the certificate: the one form audit checkpoint files carry and compare.
  const certificatePem = new X509Certificate(forge.pki.certificateToPem(cert)).toString();
  const toDer = (c: forge.pki.Certificate) =>
    Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(c)).getBytes(), "binary");
  const chain = [cert, ...certs.filter((c) => c !== cert)].map(toDer);
  return { p12, passphrase, commonName, selfSigned: cert.isIssuer(cert), privateKey, certificatePem, chain };
}

/**
 * A certificate name value that survives node-forge: a CMS signer built on it
 * re-encodes the issuer name from the parsed certificate, and forge encodes
 * non-ASCII UTF8String values twice, so such a seal would name a certificate
 * that is not in it. BMPString (UCS-2) bytes are copied as they are.
 */
function directoryString(value: string): { value: string; valueTagClass: forge.asn1.Class } {
  const tag = (type: forge.asn1.Type) => type as unknown as forge.asn1.Class;
  if (/^[\x20-\x7e]*$/.test(value)) return { value, valueTagClass: tag(forge.asn1.Type.UTF8) };
  const ucs2 = Buffer.from(value.replace(/[\u{10000}-\u{10FFFF}]/gu, "?"), "utf16le").swap16();
  return { value: ucs2.toString("binary"), valueTagClass: tag(forge.asn1.Type.BMPSTRING) };
}

/** The subject CN as text, whichever string type the certificate uses. */
function certificateCommonName(cert: forge.pki.Certificate): string {
  const field = cert.subject.getField("CN") as { value?: unknown; valueTagClass?: unknown } | null;
  if (!field || typeof field.value !== "string") return "";
  const raw = Buffer.from(field.value, "binary");
  if (field.valueTagClass === forge.asn1.Type.BMPSTRING) return Buffer.from(raw).swap16().toString("utf16le");
  return field.valueTagClass === forge.asn1.Type.UTF8 ? raw.toString("utf8") : field.value;
}

/** Whether node-forge gives back the certificate's names byte for byte (see directoryString). */
function namesRoundTrip(cert: forge.pki.Certificate): boolean {
  const original = forge.pki.certificateToAsn1(cert).value as forge.asn1.Asn1[];
  const tbs = original[0].value as forge.asn1.Asn1[];
  const offset = tbs[0].tagClass === forge.asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  const der = (node: forge.asn1.Asn1) => forge.asn1.toDer(node).getBytes();
  return (
    der(forge.pki.distinguishedNameToAsn1(cert.issuer)) === der(tbs[offset + 2]) &&
    der(forge.pki.distinguishedNameToAsn1(cert.subject)) === der(tbs[offset + 4])
  );
}

function developmentIdentity(dataDir: string, commonName: string, organisation: string): SigningIdentity {
  const p12File = path.join(dataDir, "signing.p12");
  const passFile = `${p12File}.passphrase`;
  mkdirSync(dataDir, { recursive: true });

  if (!existsSync(p12File)) {
    // The passphrase file, created exclusively, decides which process makes the
    // certificate when several start at once; the others wait for the P12.
    const passphrase = randomBytes(24).toString("base64url");
    let mine = false;
    try {
      writeFileSync(passFile, passphrase, { flag: "wx", mode: 0o600 });
      mine = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (!waitFor(p12File, 30_000)) {
        // A process that died half-way left only the passphrase: start again.
        if (Date.now() - statSync(passFile).mtimeMs > 30_000) {
          unlinkSync(passFile);
          return developmentIdentity(dataDir, commonName, organisation);
        }
        throw new Error(`Timed out waiting for another process to create ${p12File}`);
      }
    }
    if (mine) {
      const p12 = createSelfSignedP12(commonName, organisation, passphrase);
      const temporary = `${p12File}.${process.pid}.tmp`;
      writeFileSync(temporary, p12, { mode: 0o600 });
      renameSync(temporary, p12File);
      console.warn(
        `[clearance] SIGNING_P12_PATH is not set: created a self-signed development sealing certificate in ${p12File}. Configure the organisation's certificate in production.`,
      );
    }
  }
  return describe(readFileSync(p12File), readFileSync(passFile, "utf8").trim(), p12File);
}

function waitFor(file: string, timeoutMs: number): boolean {
  const deadline = Date.now() + timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (Date.now() < deadline) {
    if (existsSync(file)) return true;
    Atomics.wait(pause, 0, 0, 100);
  }
  return existsSync(file);
}

/** RSA-2048 key and a ten-year self-signed certificate for sealing documents. */
export function createSelfSignedP12(
  commonName: string,
  organisation: string,
  passphrase: string,
  now = new Date(),
): Buffer {
  // Node's key generation is native and fast; node-forge's is pure JavaScript.
  const pair = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  const privateKey = forge.pki.privateKeyFromPem(pair.privateKey);
  const publicKey = forge.pki.publicKeyFromPem(pair.publicKey);

  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // Positive serial: the top bit of the first byte clear.
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  cert.serialNumber = serial.toString("hex");
  cert.validity.notBefore = new Date(now.getTime() - MINUTE);
  cert.validity.notAfter = new Date(now.getTime());
  cert.validity.notAfter.setUTCFullYear(cert.validity.notAfter.getUTCFullYear() + 10);
  const subject = [
    { name: "commonName", ...directoryString(commonName) },
    { name: "organizationName", ...directoryString(organisation) },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: "basicConstraints", cA: false, critical: true },
    { name: "keyUsage", digitalSignature: true, nonRepudiation: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  cert.sign(privateKey, forge.md.sha256.create());

  const asn1 = forge.pkcs12.toPkcs12Asn1(privateKey, [cert], passphrase, {
    algorithm: "3des",
    friendlyName: commonName,
    generateLocalKeyId: true,
  });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), "binary");
}
