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
 * A real RFC 3161 time-stamping authority on a loopback port, for tests: an
 * HTTP handler that answers each TimeStampReq with `openssl ts -reply`,
 * signed by a TSA certificate (extended key usage timeStamping, critical)
 * issued by a test root CA made here.
 */
export type TestTsa = {
  url: string;
  /** The root CA that issued the TSA's certificate, PEM: what a relying party would trust. */
  caPem: string;
  tsaPem: string;
  /** How it answers the next requests: properly, with an error status, or with a token over other data. */
  mode: (mode: "ok" | "http-error" | "garbage" | "rejection" | "wrong-imprint") => void;
  requests: () => number;
  close: () => Promise<void>;
};

type KeyPair = { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; pem: string };

function keyPair(): KeyPair {
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

function certificate(
  subject: string,
  key: KeyPair,
  issuer: { name: string; key: KeyPair } | null,
  extensions: object[],
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = key.publicKey;
  const serial = randomBytes(12);
  serial[0] &= 0x7f;
  cert.serialNumber = serial.toString("hex");
  cert.validity.notBefore = new Date(Date.now() - 60 * 60_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 24 * 60 * 60_000);
  cert.setSubject([{ name: "commonName", value: subject }]);
  cert.setIssuer([{ name: "commonName", value: issuer?.name ?? subject }]);
  cert.setExtensions(extensions);
  cert.sign((issuer?.key ?? key).privateKey, forge.md.sha256.create());
  return cert;
}

export async function startTestTsa(): Promise<TestTsa> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "clearance-tsa-"));
  const caKey = keyPair();
  const tsaKey = keyPair();
  const ca = certificate("Clearance Test Root CA", caKey, null, [
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  const tsa = certificate("Clearance Test TSA", tsaKey, { name: "Clearance Test Root CA", key: caKey }, [
    { name: "basicConstraints", cA: false, critical: true },
    { name: "keyUsage", digitalSignature: true, nonRepudiation: true, critical: true },
    { name: "extKeyUsage", timeStamping: true, critical: true },
    { name: "subjectKeyIdentifier" },
    { name: "authorityKeyIdentifier", keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  const caPem = forge.pki.certificateToPem(ca);
  const tsaPem = forge.pki.certificateToPem(tsa);
  writeFileSync(path.join(dir, "ca.pem"), caPem);
  writeFileSync(path.join(dir, "tsa.pem"), tsaPem);
  writeFileSync(path.join(dir, "tsa.key"), tsaKey.pem, { mode: 0o600 });
  writeFileSync(path.join(dir, "serial"), "01\n");
  writeFileSync(
    path.join(dir, "openssl.cnf"),
    [
      "[ tsa ]",
      "default_tsa = test_tsa",
      "[ test_tsa ]",
      `dir = ${dir}`,
      "serial = $dir/serial",
      "signer_cert = $dir/tsa.pem",
      "signer_key = $dir/tsa.key",
      "certs = $dir/ca.pem",
      "signer_digest = sha256",
      "default_policy = 1.3.6.1.4.1.55555.1.1",
      "digests = sha256, sha384, sha512",
      "accuracy = secs:1",
      "ordering = no",
      "tsa_name = yes",
      "ess_cert_id_chain = no",
      "ess_cert_id_alg = sha256",
      // Takes only SHA-512 imprints: a SHA-256 request gets a rejection (badAlg) reply.
      "[ sha512_only ]",
      `dir = ${dir}`,
      "serial = $dir/serial",
      "signer_cert = $dir/tsa.pem",
      "signer_key = $dir/tsa.key",
      "signer_digest = sha256",
      "default_policy = 1.3.6.1.4.1.55555.1.1",
      "digests = sha512",
      "ess_cert_id_alg = sha256",
      "",
    ].join("\n"),
  );

  let mode: Parameters<TestTsa["mode"]>[0] = "ok";
  let count = 0;
  // openssl keeps its serial number in a file: one reply at a time.
  let queue: Promise<unknown> = Promise.resolve();

  const reply = async (query: Buffer): Promise<Buffer> => {
    const id = randomBytes(6).toString("hex");
    const queryFile = path.join(dir, `${id}.tsq`);
    const replyFile = path.join(dir, `${id}.tsr`);
    if (mode === "wrong-imprint") {
      const other = path.join(dir, `${id}.other`);
      writeFileSync(other, randomBytes(64));
      await run("openssl", ["ts", "-query", "-data", other, "-sha256", "-cert", "-out", queryFile]);
    } else writeFileSync(queryFile, query);
    const section = mode === "rejection" ? ["-section", "sha512_only"] : [];
    await run("openssl", [
      "ts",
      "-reply",
      "-config",
      path.join(dir, "openssl.cnf"),
      ...section,
      "-queryfile",
      queryFile,
      "-out",
      replyFile,
    ]).catch(() => undefined);
    try {
      return readFileSync(replyFile);
    } finally {
      rmSync(queryFile, { force: true });
      rmSync(replyFile, { force: true });
    }
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      count += 1;
      if (req.method !== "POST" || req.headers["content-type"] !== "application/timestamp-query") {
        res.writeHead(400).end();
        return;
      }
      if (mode === "http-error") {
        res.writeHead(503).end("down for maintenance");
        return;
      }
      if (mode === "garbage") {
        res.writeHead(200, { "Content-Type": "application/timestamp-reply" }).end(randomBytes(300));
        return;
      }
      const answer = (queue = queue.then(() => reply(Buffer.concat(chunks))));
      answer.then(
        (body) => res.writeHead(200, { "Content-Type": "application/timestamp-reply" }).end(body),
        () => res.writeHead(500).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/tsr`,
    caPem,
    tsaPem,
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
