import { execFile } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

import forge from "node-forge";

const run = promisify(execFile);

/**
 * A small certificate authority for sealing tests: a root CA made here that
 * issues a sealing certificate whose CRL distribution point is a loopback
 * HTTP server, which serves a CRL made by `openssl ca -gencrl` (not by the
 * code under test) and signed by that root. The sealing key and the chain
 * (sealing certificate, root) are in a PKCS#12 file for SIGNING_P12_PATH.
 */
export type TestCrlAuthority = {
  p12Path: string;
  passphrase: string;
  /** The URL the sealing certificate names as its CRL distribution point. */
  crlUrl: string;
  caDer: Buffer;
  sealingDer: Buffer;
  /** The DER bytes of the CRL the server serves now. */
  crl: () => Buffer;
  /** Puts the sealing certificate on the CRL and issues a new one. */
  revokeSealingCertificate: () => Promise<void>;
  /** "ok" serves the CRL; "http-error" answers 503. */
  mode: (mode: "ok" | "http-error") => void;
  requests: () => number;
  close: () => Promise<void>;
};

function keyPair() {
  const pair = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return {
    privateKey: forge.pki.privateKeyFromPem(pair.privateKey) as forge.pki.rsa.PrivateKey,
    publicKey: forge.pki.publicKeyFromPem(pair.publicKey) as forge.pki.rsa.PublicKey,
    pem: pair.privateKey,
  };
}

const toDer = (cert: forge.pki.Certificate) =>
  Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), "binary");

export async function startTestCrlAuthority(options: { distributionPoint?: boolean } = {}): Promise<TestCrlAuthority> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "clearance-crl-"));
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const crlUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sealing-ca.crl`;

  const caKey = keyPair();
  const sealingKey = keyPair();
  const ca = forge.pki.createCertificate();
  ca.publicKey = caKey.publicKey;
  ca.serialNumber = "01";
  ca.validity.notBefore = new Date(Date.now() - 60 * 60_000);
  ca.validity.notAfter = new Date(Date.now() + 365 * 24 * 60 * 60_000);
  const caName = [{ name: "commonName", value: "Clearance Test Sealing CA" }];
  ca.setSubject(caName);
  ca.setIssuer(caName);
  ca.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  ca.sign(caKey.privateKey, forge.md.sha256.create());

  const sealing = forge.pki.createCertificate();
  sealing.publicKey = sealingKey.publicKey;
  const serial = randomBytes(12);
  serial[0] = (serial[0] & 0x7f) | 0x10;
  sealing.serialNumber = serial.toString("hex");
  sealing.validity.notBefore = new Date(Date.now() - 60 * 60_000);
  sealing.validity.notAfter = new Date(Date.now() + 180 * 24 * 60 * 60_000);
  sealing.setSubject([
    { name: "commonName", value: "Brightline Support document sealing" },
    { name: "organizationName", value: "Brightline Support" },
  ]);
  sealing.setIssuer(caName);
  sealing.setExtensions([
    { name: "basicConstraints", cA: false, critical: true },
    { name: "keyUsage", digitalSignature: true, nonRepudiation: true, critical: true },
    { name: "subjectKeyIdentifier" },
    { name: "authorityKeyIdentifier", keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
    ...(options.distributionPoint === false
      ? []
      : [{ name: "cRLDistributionPoints", altNames: [{ type: 6, value: crlUrl }] }]),
  ]);
  sealing.sign(caKey.privateKey, forge.md.sha256.create());

  const passphrase = randomBytes(12).toString("hex");
  const p12Path = path.join(dir, "sealing.p12");
  const p12 = forge.pkcs12.toPkcs12Asn1(sealingKey.privateKey, [sealing, ca], passphrase, { algorithm: "3des" });
  writeFileSync(p12Path, Buffer.from(forge.asn1.toDer(p12).getBytes(), "binary"));

  writeFileSync(path.join(dir, "ca.pem"), forge.pki.certificateToPem(ca));
  writeFileSync(path.join(dir, "ca.key"), caKey.pem, { mode: 0o600 });
  writeFileSync(path.join(dir, "sealing.pem"), forge.pki.certificateToPem(sealing));
  writeFileSync(path.join(dir, "index.txt"), "");
  writeFileSync(path.join(dir, "crlnumber"), "01\n");
  const config = path.join(dir, "openssl.cnf");
  writeFileSync(
    config,
    [
      "[ ca ]",
      "default_ca = test_ca",
      "[ test_ca ]",
      `dir = ${dir}`,
      "database = $dir/index.txt",
      "crlnumber = $dir/crlnumber",
      "certificate = $dir/ca.pem",
      "private_key = $dir/ca.key",
      "default_md = sha256",
      "default_crl_days = 7",
      "",
    ].join("\n"),
  );
  const gencrl = async () => {
    await run("openssl", ["ca", "-config", config, "-gencrl", "-out", path.join(dir, "crl.pem")]);
    await run("openssl", [
      "crl",
      "-in",
      path.join(dir, "crl.pem"),
      "-outform",
      "DER",
      "-out",
      path.join(dir, "crl.der"),
    ]);
    return readFileSync(path.join(dir, "crl.der"));
  };
  let crl = await gencrl();
  let mode: "ok" | "http-error" = "ok";
  let count = 0;
  server.on("request", (req, res) => {
    count += 1;
    if (req.method !== "GET" || !crlUrl.endsWith(req.url ?? "")) return void res.writeHead(404).end();
    if (mode === "http-error") return void res.writeHead(503).end("down for maintenance");
    res.writeHead(200, { "Content-Type": "application/pkix-crl" }).end(crl);
  });

  return {
    p12Path,
    passphrase,
    crlUrl,
    caDer: toDer(ca),
    sealingDer: toDer(sealing),
    crl: () => crl,
    revokeSealingCertificate: async () => {
      await run("openssl", ["ca", "-config", config, "-revoke", path.join(dir, "sealing.pem")]);
      crl = await gencrl();
    },
    mode: (next) => {
      mode = next;
    },
    requests: () => count,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
