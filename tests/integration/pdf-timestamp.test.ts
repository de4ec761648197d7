import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import forge from "node-forge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { resetEnvForTests } from "@/lib/env";
import { sealPdf } from "@/lib/pdf/seal";
import { TimestampError } from "@/lib/pdf/timestamp";
import { verifySealedPdf } from "@/lib/pdf/verify-seal";

import { closedPort } from "../helpers/loopback";
import { sampleCertificatePdf } from "../helpers/sample-certificate";
import { startTestTsa, type TestTsa } from "../helpers/tsa";

/**
 * Seals carry an RFC 3161 time-stamp from a real TSA (openssl ts on loopback)
 * when TSA_URL is set, checked by tools that are not ours: pdfsig for the
 * PDF signature, openssl ts -verify for the token against the TSA's root.
 * A TSA that is down or answers badly stops the seal.
 */

let tsa: TestTsa;
let dir: string;
let unsealed: Uint8Array;

function useTsa(url: string | undefined) {
  if (url) {
    process.env.TSA_URL = url;
    process.env.TSA_ALLOW_LOOPBACK_HTTP = "true";
  } else delete process.env.TSA_URL;
  resetEnvForTests();
}

/** The CMS blob pdfsig itself extracts from the PDF (pdfsig -dump). */
function dumpedSignature(file: string): Buffer {
  const out = mkdtempSync(path.join(dir, "dump-"));
  execFileSync("pdfsig", ["-dump", file], { cwd: out });
  const [name] = readdirSync(out);
  return readFileSync(path.join(out, name));
}

/** The signature value and the time-stamp token in a CMS SignedData, read with node-forge's ASN.1 parser. */
function signatureAndToken(cms: Buffer): { signature: Buffer; token: Buffer } {
  const fromDer = forge.asn1.fromDer as unknown as (
    bytes: forge.util.ByteStringBuffer,
    options: object,
  ) => forge.asn1.Asn1;
  const root = fromDer(forge.util.createBuffer(cms.toString("binary")), { parseAllBytes: false });
  const signedData = (root.value as forge.asn1.Asn1[])[1].value[0] as forge.asn1.Asn1;
  const parts = signedData.value as forge.asn1.Asn1[];
  const signerInfo = (parts[parts.length - 1].value as forge.asn1.Asn1[])[0].value as forge.asn1.Asn1[];
  const signature = Buffer.from(signerInfo[5].value as string, "binary");
  const unsigned = signerInfo[6].value as forge.asn1.Asn1[];
  const attribute = unsigned[0].value as forge.asn1.Asn1[];
  expect(forge.asn1.derToOid(attribute[0].value as string)).toBe("1.2.840.113549.1.9.16.2.14");
  const token = (attribute[1].value as forge.asn1.Asn1[])[0];
  return { signature, token: Buffer.from(forge.asn1.toDer(token).getBytes(), "binary") };
}

function opensslVerifiesToken(token: Buffer, signature: Buffer): string {
  const tokenFile = path.join(dir, `token-${Date.now()}.der`);
  const caFile = path.join(dir, "tsa-root.pem");
  writeFileSync(tokenFile, token);
  writeFileSync(caFile, tsa.caPem);
  return execFileSync(
    "openssl",
    [
      "ts",
      "-verify",
      "-token_in",
      "-in",
      tokenFile,
      "-digest",
      createHash("sha256").update(signature).digest("hex"),
      "-CAfile",
      caFile,
    ],
    { encoding: "utf8" },
  );
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "clearance-tsa-test-"));
  tsa = await startTestTsa();
  unsealed = await sampleCertificatePdf();
});

afterAll(async () => {
  useTsa(undefined);
  await tsa.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("a seal with TSA_URL set", () => {
  let sealed: Buffer;
  let file: string;
  const before = new Date();

  beforeAll(async () => {
    useTsa(tsa.url);
    tsa.mode("ok");
    sealed = await sealPdf(unsealed, { reason: "Certificate of completion" });
    file = path.join(dir, "stamped.pdf");
    writeFileSync(file, sealed);
  });

  it("is a valid PAdES signature over the whole document for pdfsig", () => {
    const report = execFileSync("pdfsig", [file], { encoding: "utf8" });
    expect(report).toContain("Signature is Valid");
    expect(report).toContain("Total document signed");
    expect(report).toContain("ETSI.CAdES.detached");
  });

  it("carries a signature-time-stamp over its signature value that openssl verifies against the TSA's root", () => {
    const { signature, token } = signatureAndToken(dumpedSignature(file));
    expect(opensslVerifiesToken(token, signature)).toContain("Verification: OK");
    // The same token does not stamp other data.
    expect(() => opensslVerifiesToken(token, Buffer.concat([signature, Buffer.from([0])]))).toThrow();
  });

  it("embeds the organisation's certificate and the signing-certificate-v2 attribute", () => {
    writeFileSync(path.join(dir, "cms.der"), dumpedSignature(file));
    const printed = execFileSync(
      "openssl",
      ["cms", "-cmsout", "-print", "-inform", "DER", "-in", path.join(dir, "cms.der")],
      {
        encoding: "utf8",
      },
    );
    expect(printed).toContain("id-smime-aa-signingCertificateV2");
    expect(printed).toContain("id-smime-aa-timeStampToken");
    expect(printed).toContain("document sealing");
  });

  it("reports the time-stamp's time, and refuses a changed byte inside the token", () => {
    const check = verifySealedPdf(sealed);
    expect(check).toMatchObject({ signed: true, intact: true, coversWholeDocument: true });
    expect(check.timestampedAt!.getTime()).toBeGreaterThanOrEqual(before.getTime() - 2000);
    expect(check.timestampedAt!.getTime()).toBeLessThanOrEqual(Date.now() + 2000);

    const { token } = signatureAndToken(dumpedSignature(file));
    const hex = Buffer.from(sealed).toString("latin1");
    const at = hex.indexOf(token.toString("hex").slice(200, 240));
    expect(at).toBeGreaterThan(0);
    const tampered = Buffer.from(sealed);
    tampered[at + 3] = tampered[at + 3] === 0x30 ? 0x31 : 0x30;
    expect(verifySealedPdf(tampered).intact).toBe(false);
  });
});

describe("a seal when the TSA fails", () => {
  beforeAll(() => tsa.mode("ok"));

  const cases: [string, () => Promise<string> | string, RegExp][] = [
    ["is unreachable", async () => `http://127.0.0.1:${await closedPort()}/tsr`, /could not be reached/],
    ["answers HTTP 503", () => (tsa.mode("http-error"), tsa.url), /answered HTTP 503/],
    ["answers garbage", () => (tsa.mode("garbage"), tsa.url), /did not send a (DER )?time-stamp reply/],
    ["rejects the request", () => (tsa.mode("rejection"), tsa.url), /refused the request \(status 2/],
    ["stamps other data", () => (tsa.mode("wrong-imprint"), tsa.url), /imprint mismatch/],
  ];

  for (const [name, url, detail] of cases) {
    it(`fails loudly when the TSA ${name}`, async () => {
      useTsa(await url());
      const error = await sealPdf(unsealed, { reason: "Certificate of completion" }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TimestampError);
      expect((error as TimestampError).detail).toMatch(detail);
      expect((error as TimestampError).message).toMatch(/could not be sealed/);
      expect((error as TimestampError).status).toBe(503);
      tsa.mode("ok");
    });
  }

  it("seals without a time-stamp when TSA_URL is not set", async () => {
    useTsa(undefined);
    const check = verifySealedPdf(await sealPdf(unsealed, { reason: "Certificate of completion" }));
    expect(check).toMatchObject({ intact: true, timestampedAt: null });
  });
});
