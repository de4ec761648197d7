import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import forge from "node-forge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { resetEnvForTests } from "@/lib/env";
import { RevocationError, SealingCertificateRevokedError } from "@/lib/pdf/revocation";
import { sealPdf } from "@/lib/pdf/seal";
import { resetSigningIdentityForTests } from "@/lib/pdf/signing-identity";
import { verifySealedPdf } from "@/lib/pdf/verify-seal";

import { startTestCrlAuthority, type TestCrlAuthority } from "../helpers/crl-authority";
import { closedPort } from "../helpers/loopback";
import { sampleCertificatePdf } from "../helpers/sample-certificate";
import { startTestTsa, type TestTsa } from "../helpers/tsa";

/**
 * Seals carry long-term validation data (PAdES B-LT): the CRL of the sealing
 * certificate, fetched at sealing time from the distribution point the
 * certificate names (a loopback server serving a CRL that `openssl ca`
 * made), inside the signature's signed attribute adbe-revocationInfoArchival.
 * pdfsig still finds the signature valid over the whole document; a revoked
 * certificate, or a CRL that cannot be had when it is required, stops the seal.
 */

const SETTINGS = [
  "SIGNING_P12_PATH",
  "SIGNING_P12_PASSPHRASE",
  "SEAL_REVOCATION",
  "SEAL_CRL_URL",
  "TSA_URL",
  "TSA_ALLOW_LOOPBACK_HTTP",
];
const saved = Object.fromEntries(SETTINGS.map((name) => [name, process.env[name]]));

let dir: string;
let unsealed: Uint8Array;
let authority: TestCrlAuthority;

function configure(settings: Partial<Record<(typeof SETTINGS)[number], string>>) {
  for (const name of SETTINGS) {
    if (settings[name] === undefined) delete process.env[name];
    else process.env[name] = settings[name];
  }
  resetEnvForTests();
  resetSigningIdentityForTests();
}

const sealingBy = (ca: TestCrlAuthority, more: Partial<Record<(typeof SETTINGS)[number], string>> = {}) =>
  configure({ SIGNING_P12_PATH: ca.p12Path, SIGNING_P12_PASSPHRASE: ca.passphrase, ...more });

const seal = () => sealPdf(unsealed, { reason: "Certificate of completion" });
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (e: unknown) => e,
  );

/** The CMS blob pdfsig itself extracts from the PDF (pdfsig -dump). */
function dumpedSignature(file: string): Buffer {
  const out = mkdtempSync(path.join(dir, "dump-"));
  execFileSync("pdfsig", ["-dump", file], { cwd: out });
  const [name] = readdirSync(out);
  return readFileSync(path.join(out, name));
}

/** The CRLs in the signed attribute adbe-revocationInfoArchival, and the certificates, read with node-forge. */
function revocationInfo(cms: Buffer): { crls: Buffer[]; certificates: Buffer[] } {
  const fromDer = forge.asn1.fromDer as unknown as (
    bytes: forge.util.ByteStringBuffer,
    options: object,
  ) => forge.asn1.Asn1;
  const der = (node: forge.asn1.Asn1) => Buffer.from(forge.asn1.toDer(node).getBytes(), "binary");
  const root = fromDer(forge.util.createBuffer(cms.toString("binary")), { parseAllBytes: false });
  const signedData = (root.value as forge.asn1.Asn1[])[1].value[0] as forge.asn1.Asn1;
  const parts = signedData.value as forge.asn1.Asn1[];
  const certificates = (parts[3].value as forge.asn1.Asn1[]).map(der);
  const signerInfo = (parts[parts.length - 1].value as forge.asn1.Asn1[])[0].value as forge.asn1.Asn1[];
  const attributes = signerInfo[3].value as forge.asn1.Asn1[];
  const archival = attributes.find(
    (a) => forge.asn1.derToOid((a.value as forge.asn1.Asn1[])[0].value as string) === "1.2.840.113583.1.1.8",
  );
  if (!archival) return { crls: [], certificates };
  const value = ((archival.value as forge.asn1.Asn1[])[1].value as forge.asn1.Asn1[])[0];
  const crlList = ((value.value as forge.asn1.Asn1[])[0].value as forge.asn1.Asn1[])[0];
  return { crls: (crlList.value as forge.asn1.Asn1[]).map(der), certificates };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "clearance-revocation-test-"));
  authority = await startTestCrlAuthority();
  unsealed = await sampleCertificatePdf();
});

afterAll(async () => {
  configure(saved);
  await authority.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("a seal by a certificate with a CRL distribution point", () => {
  let sealed: Buffer;
  let file: string;

  beforeAll(async () => {
    sealingBy(authority);
    const before = authority.requests();
    sealed = await seal();
    expect(authority.requests()).toBe(before + 1);
    file = path.join(dir, "lt.pdf");
    writeFileSync(file, sealed);
  });

  it("is a valid signature over the whole document for pdfsig", () => {
    const report = execFileSync("pdfsig", [file], { encoding: "utf8" });
    expect(report).toContain("Signature is Valid");
    expect(report).toContain("Total document signed");
    expect(report).toContain("ETSI.CAdES.detached");
  });

  it("embeds the CRL the distribution point served, byte for byte, with the sealing certificate and its CA", () => {
    const { crls, certificates } = revocationInfo(dumpedSignature(file));
    expect(crls).toHaveLength(1);
    expect(crls[0].equals(authority.crl())).toBe(true);
    expect(certificates.some((c) => c.equals(authority.sealingDer))).toBe(true);
    expect(certificates.some((c) => c.equals(authority.caDer))).toBe(true);
    // openssl, not our parser, checks the embedded CRL's signature against the CA.
    writeFileSync(path.join(dir, "embedded.crl"), crls[0]);
    writeFileSync(path.join(dir, "ca.der"), authority.caDer);
    execFileSync("openssl", [
      "x509",
      "-inform",
      "DER",
      "-in",
      path.join(dir, "ca.der"),
      "-out",
      path.join(dir, "ca.pem"),
    ]);
    const checked = execFileSync(
      "openssl",
      ["crl", "-inform", "DER", "-in", path.join(dir, "embedded.crl"), "-CAfile", path.join(dir, "ca.pem"), "-noout"],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
    expect(checked).toBe("");
  });

  it("is reported as carrying long-term validation data, and the attribute is covered by the signature", () => {
    expect(verifySealedPdf(sealed)).toMatchObject({
      signed: true,
      intact: true,
      coversWholeDocument: true,
      longTermValidation: true,
    });
    const crlAt = sealed.toString("latin1").indexOf(authority.crl().toString("hex").slice(80, 120));
    expect(crlAt).toBeGreaterThan(0);
    const tampered = Buffer.from(sealed);
    tampered[crlAt + 1] = tampered[crlAt + 1] === 0x30 ? 0x31 : 0x30;
    expect(verifySealedPdf(tampered).intact).toBe(false);
  });
});

/** Appends an incremental update holding an (empty) DSS dictionary, as a B-LT writer using a DSS would. */
function withDssUpdate(pdf: Buffer): Buffer {
  const text = pdf.toString("latin1");
  const trailer = text.slice(text.lastIndexOf("trailer"));
  const size = Number(/\/Size (\d+)/.exec(trailer)![1]);
  const root = /\/Root (\d+ \d+ R)/.exec(trailer)![1];
  const previous = Number(
    text
      .slice(text.lastIndexOf("startxref") + 9)
      .trim()
      .split(/\s+/)[0],
  );
  const object = `${size} 0 obj\n<< /Type /DSS /CRLs [] >>\nendobj\n`;
  const xref = pdf.length + object.length;
  const update =
    object +
    `xref\n${size} 1\n${String(pdf.length).padStart(10, "0")} 00000 n \n` +
    `trailer\n<< /Size ${size + 1} /Root ${root} /Prev ${previous} >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.concat([pdf, Buffer.from(update, "latin1")]);
}

describe("why the CRLs are not in a DSS dictionary", () => {
  it("an update after the seal leaves pdfsig's signature valid but not over the whole document, and /verify refuses it", async () => {
    sealingBy(authority);
    const file = path.join(dir, "dss.pdf");
    const updated = withDssUpdate(await seal());
    writeFileSync(file, updated);
    const report = execFileSync("pdfsig", [file], { encoding: "utf8" });
    expect(report).toContain("Signature is Valid");
    expect(report).toContain("Not total document signed");
    expect(verifySealedPdf(updated)).toMatchObject({ signed: true, coversWholeDocument: false, intact: false });
  });
});

describe("revocation data with a time-stamp (B-T and B-LT together)", () => {
  let tsa: TestTsa;
  beforeAll(async () => {
    tsa = await startTestTsa();
  });
  afterAll(() => tsa.close());

  it("pdfsig finds the signature valid, and the seal reports both the time-stamp and the CRL", async () => {
    sealingBy(authority, { TSA_URL: tsa.url, TSA_ALLOW_LOOPBACK_HTTP: "true", SEAL_REVOCATION: "required" });
    const sealed = await seal();
    const file = path.join(dir, "lta.pdf");
    writeFileSync(file, sealed);
    const report = execFileSync("pdfsig", [file], { encoding: "utf8" });
    expect(report).toContain("Signature is Valid");
    expect(report).toContain("Total document signed");
    const check = verifySealedPdf(sealed);
    expect(check).toMatchObject({ intact: true, longTermValidation: true });
    expect(check.timestampedAt).toBeInstanceOf(Date);
  });
});

describe("when revocation data cannot be had", () => {
  it("refuses to seal when the distribution point answers 503 and SEAL_REVOCATION=required", async () => {
    sealingBy(authority, { SEAL_REVOCATION: "required" });
    authority.mode("http-error");
    try {
      const error = await failureOf(seal());
      expect(error).toBeInstanceOf(RevocationError);
      expect((error as RevocationError).detail).toMatch(/answered HTTP 503/);
      expect((error as RevocationError).message).toMatch(/could not be sealed/);
      expect((error as RevocationError).status).toBe(503);
    } finally {
      authority.mode("ok");
    }
  });

  it("refuses to seal when SEAL_CRL_URL is unreachable and SEAL_REVOCATION=required", async () => {
    const bare = await startTestCrlAuthority({ distributionPoint: false });
    try {
      sealingBy(bare, { SEAL_REVOCATION: "required" });
      const noSource = await failureOf(seal());
      expect(noSource).toBeInstanceOf(RevocationError);
      expect((noSource as RevocationError).detail).toMatch(/no CRL distribution point and SEAL_CRL_URL is not set/);

      sealingBy(bare, { SEAL_REVOCATION: "required", SEAL_CRL_URL: `http://127.0.0.1:${await closedPort()}/x.crl` });
      const unreachable = await failureOf(seal());
      expect(unreachable).toBeInstanceOf(RevocationError);
      expect((unreachable as RevocationError).detail).toMatch(/could not be reached/);

      // SEAL_CRL_URL stands in for the missing distribution point.
      sealingBy(bare, { SEAL_REVOCATION: "required", SEAL_CRL_URL: bare.crlUrl });
      expect(verifySealedPdf(await seal())).toMatchObject({ intact: true, longTermValidation: true });
    } finally {
      await bare.close();
    }
  });

  it("refuses a CRL signed by another CA of the same name", async () => {
    const [bare, other] = await Promise.all([
      startTestCrlAuthority({ distributionPoint: false }),
      startTestCrlAuthority({ distributionPoint: false }),
    ]);
    try {
      sealingBy(bare, { SEAL_REVOCATION: "required", SEAL_CRL_URL: other.crlUrl });
      const error = await failureOf(seal());
      expect(error).toBeInstanceOf(RevocationError);
      expect((error as RevocationError).detail).toMatch(/a CRL its issuer did not sign/);
    } finally {
      await Promise.all([bare.close(), other.close()]);
    }
  });

  it("seals without it when optional (the default), and says so", async () => {
    sealingBy(authority);
    authority.mode("http-error");
    try {
      const check = verifySealedPdf(await seal());
      expect(check).toMatchObject({ intact: true, coversWholeDocument: true, longTermValidation: false });
    } finally {
      authority.mode("ok");
    }
  });

  it("never fetches with SEAL_REVOCATION=off", async () => {
    sealingBy(authority, { SEAL_REVOCATION: "off" });
    const before = authority.requests();
    expect(verifySealedPdf(await seal())).toMatchObject({ intact: true, longTermValidation: false });
    expect(authority.requests()).toBe(before);
  });

  it("a self-signed development certificate has nothing to fetch and seals as before", async () => {
    configure({ SEAL_REVOCATION: "required" });
    expect(verifySealedPdf(await seal())).toMatchObject({ intact: true, longTermValidation: false });
  });
});

describe("a revoked sealing certificate", () => {
  it("is refused with a clear error, whatever SEAL_REVOCATION says", async () => {
    const revoked = await startTestCrlAuthority();
    try {
      await revoked.revokeSealingCertificate();
      for (const mode of ["optional", "required"]) {
        sealingBy(revoked, { SEAL_REVOCATION: mode });
        const error = await failureOf(seal());
        expect(error).toBeInstanceOf(SealingCertificateRevokedError);
        expect((error as SealingCertificateRevokedError).code).toBe("sealing_certificate_revoked");
        expect((error as SealingCertificateRevokedError).message).toMatch(/sealing certificate has been revoked/);
        expect((error as SealingCertificateRevokedError).detail).toMatch(/Brightline Support document sealing/);
      }
    } finally {
      await revoked.close();
    }
  });
});
