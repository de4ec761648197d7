import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { eq } from "drizzle-orm";
import forge from "node-forge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { POST as verifyPost } from "@/app/api/v1/verify/route";
import { POST as uploadPost } from "@/app/verify/upload/route";
import { auditEvents, certifications, people, quizAttempts, signatures } from "@/db/schema";
import { openSigning, signAsEmployee } from "@/lib/agreements/employee-agreements";
import { signedPdf } from "@/lib/agreements/signed-documents";
import { describeVerdict, verifySignedDocument } from "@/lib/agreements/verify-document";
import { getCourse } from "@/lib/content";
import { resetEnvForTests } from "@/lib/env";
import { resetSigningIdentityForTests } from "@/lib/pdf/signing-identity";
import { TimestampError } from "@/lib/pdf/timestamp";
import { verifySealedPdf } from "@/lib/pdf/verify-seal";
import { startAttempt, submitAttempt } from "@/lib/training/attempts";
import { certificatePdf } from "@/lib/training/certificate-pdf";
import { completeLesson } from "@/lib/training/lesson-progress";
import type { DrawnQuestion } from "@/lib/training/quiz.rules";
import { verifyCertificateCode } from "@/lib/training/verify-certificate";

import { consentToSign } from "../helpers/consent";
import { startTestCrlAuthority } from "../helpers/crl-authority";
import { context, createPerson, TEST_PASSWORD, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";
import { startTestTsa, type TestTsa } from "../helpers/tsa";

/**
 * Completion certificates are sealed like agreements, once, on first
 * download, with a time-stamp from a real TSA (openssl ts on loopback); the
 * downloaded file is recognised at /verify and by the API, one edited byte is
 * not, and a holder who left is shown as such.
 */

const database = withTestDatabase();
const COURSE = "incident-reporting";
let tsa: TestTsa;
let dir: string;

function useTsa(url: string | undefined) {
  if (url) {
    process.env.TSA_URL = url;
    process.env.TSA_ALLOW_LOOPBACK_HTTP = "true";
  } else delete process.env.TSA_URL;
  resetEnvForTests();
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "clearance-certificate-"));
  tsa = await startTestTsa();
  useTsa(tsa.url);
});

afterAll(async () => {
  useTsa(undefined);
  await tsa.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A person who passed the course: their viewer and certification. */
async function certified(name: string) {
  const person = await createPerson(database.db(), { name });
  const viewer = viewerOf(person);
  for (const lesson of getCourse(COURSE)!.lessons) await completeLesson(viewer, COURSE, lesson.slug);
  const { attemptId } = await startAttempt(viewer, COURSE);
  const [row] = await database
    .db()
    .select({ drawn: quizAttempts.drawn })
    .from(quizAttempts)
    .where(eq(quizAttempts.id, attemptId));
  const answers = Object.fromEntries((row.drawn as DrawnQuestion[]).map((q) => [q.id, q.correct]));
  expect(await submitAttempt(viewer, context(viewer.id), attemptId, answers)).toMatchObject({ passed: true });
  const [certification] = await database
    .db()
    .select()
    .from(certifications)
    .where(eq(certifications.attemptId, attemptId));
  return { viewer, certification };
}

function saved(bytes: Uint8Array, name: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

/** pdfsig's verdict on the seal, and openssl's on the time-stamp token inside it (against the TSA's root). */
function externalChecks(file: string): { pdfsig: string; timestamp: string } {
  const out = mkdtempSync(path.join(dir, "dump-"));
  const pdfsig = execFileSync("pdfsig", [file], { encoding: "utf8" });
  execFileSync("pdfsig", ["-dump", file], { cwd: out });
  const cms = readFileSync(path.join(out, readdirSync(out)[0]));
  const fromDer = forge.asn1.fromDer as unknown as (b: forge.util.ByteStringBuffer, o: object) => forge.asn1.Asn1;
  const root = fromDer(forge.util.createBuffer(cms.toString("binary")), { parseAllBytes: false });
  const parts = ((root.value as forge.asn1.Asn1[])[1].value as forge.asn1.Asn1[])[0].value as forge.asn1.Asn1[];
  const signerInfo = (parts[parts.length - 1].value as forge.asn1.Asn1[])[0].value as forge.asn1.Asn1[];
  const signature = Buffer.from(signerInfo[5].value as string, "binary");
  const attribute = (signerInfo[6].value as forge.asn1.Asn1[])[0].value as forge.asn1.Asn1[];
  const token = (attribute[1].value as forge.asn1.Asn1[])[0];
  writeFileSync(path.join(out, "token.der"), Buffer.from(forge.asn1.toDer(token).getBytes(), "binary"));
  writeFileSync(path.join(out, "root.pem"), tsa.caPem);
  const timestamp = execFileSync(
    "openssl",
    [
      ...["ts", "-verify", "-token_in", "-in", path.join(out, "token.der")],
      ...["-digest", createHash("sha256").update(signature).digest("hex"), "-CAfile", path.join(out, "root.pem")],
    ],
    { encoding: "utf8" },
  );
  return { pdfsig, timestamp };
}

function upload(bytes: Uint8Array, field: string): FormData {
  const form = new FormData();
  form.append(field, new File([new Uint8Array(bytes)], "certificate.pdf", { type: "application/pdf" }));
  return form;
}

describe("a completion certificate", () => {
  let holder: Awaited<ReturnType<typeof certified>>;
  let bytes: Uint8Array;

  beforeAll(async () => {
    holder = await certified("Léa Dubois");
    bytes = (await certificatePdf(holder.viewer, context(holder.viewer.id), holder.certification.id)).bytes;
  });

  it("is sealed with a time-stamp that pdfsig and openssl verify, and carries its code's /verify address", () => {
    const file = saved(bytes, "certificate.pdf");
    const { pdfsig, timestamp } = externalChecks(file);
    expect(pdfsig).toContain("Signature is Valid");
    expect(pdfsig).toContain("Total document signed");
    expect(pdfsig).toContain("ETSI.CAdES.detached");
    expect(timestamp).toContain("Verification: OK");
    const text = execFileSync("pdftotext", [file, "-"], { encoding: "utf8" }).replace(/\s+/g, " ");
    expect(text).toContain(`/verify?code=${holder.certification.verificationCode}`);
    // The QR code: one image on the page.
    expect(execFileSync("pdfimages", ["-list", file], { encoding: "utf8" }).trim().split("\n")).toHaveLength(3);
    // Sealing keeps the tags a screen reader reads.
    expect(execFileSync("pdfinfo", [file], { encoding: "utf8" })).toMatch(/^Tagged:\s+yes$/m);
  });

  it("is stored once and every later download is the same file", async () => {
    const again = await certificatePdf(holder.viewer, context(holder.viewer.id), holder.certification.id);
    expect(Buffer.from(again.bytes).equals(Buffer.from(bytes))).toBe(true);
    const [row] = await database
      .db()
      .select({ pdfEnc: certifications.pdfEnc, pdfSha256: certifications.pdfSha256 })
      .from(certifications)
      .where(eq(certifications.id, holder.certification.id));
    expect(row.pdfSha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(row.pdfEnc).toMatch(/^v1\./);
    const downloads = await database
      .db()
      .select({ id: auditEvents.id })
      .from(auditEvents)
      .where(eq(auditEvents.targetId, holder.certification.id));
    expect(downloads.length).toBeGreaterThanOrEqual(2);
  });

  it("is recognised by the API and the page's upload, showing only what the certificate shows", async () => {
    const verdict = await verifySignedDocument(bytes);
    expect(verdict).toMatchObject({ authentic: true, kind: "certificate" });
    expect(describeVerdict(verdict)).toMatch(
      /^Authentic: certificate of completion of .+ v\d+\.\d+\.\d+ issued to Léa Dubois on \d{4}-\d{2}-\d{2} \(valid\)$/,
    );

    const api = await verifyPost(
      new Request("http://localhost/api/v1/verify", {
        method: "POST",
        headers: { "content-type": "application/pdf", "x-forwarded-for": "198.51.100.21" },
        body: new Uint8Array(bytes),
      }),
    );
    expect(api.status).toBe(200);
    const body = await api.json();
    expect(body).toMatchObject({
      authentic: true,
      kind: "certificate",
      // Time-stamped by the TSA; the self-signed development certificate has no CRL to carry.
      seal: { timestamped: true, longTermValidation: false },
      certificate: {
        holder: "Léa Dubois",
        version: getCourse(COURSE)!.version,
        status: "current",
        holderLeft: false,
        annulled: false,
      },
    });
    expect(Object.keys(body.certificate).sort()).toEqual(
      ["annulled", "course", "expiresAt", "holder", "holderLeft", "issuedAt", "status", "version"].sort(),
    );
    expect(JSON.stringify(body)).not.toContain(holder.viewer.email);
    expect(JSON.stringify(body)).not.toContain(holder.viewer.id);

    const page = await uploadPost(
      new Request("http://localhost/verify/upload", {
        method: "POST",
        headers: { "x-forwarded-for": "198.51.100.22" },
        body: upload(bytes, "document"),
      }),
    );
    expect(await page.json()).toEqual({
      authentic: true,
      message: describeVerdict(verdict),
      seal: expect.stringMatching(
        /^Sealed with the organisation's certificate\. It carries a trusted time-stamp .* It does not carry revocation data/,
      ),
    });
  });

  it("refuses the file with one edited byte, wherever it is", async () => {
    for (const position of [10, Math.floor(bytes.length / 2), bytes.length - 2]) {
      const edited = Buffer.from(bytes);
      edited[position] ^= 0x01;
      expect(await verifySignedDocument(edited)).toEqual({ authentic: false });
      const form = await verifyPost(
        new Request("http://localhost/api/v1/verify", {
          method: "POST",
          headers: { "x-forwarded-for": "198.51.100.23" },
          body: upload(edited, "file"),
        }),
      );
      expect(await form.json()).toEqual({ authentic: false, message: "Not recognised or modified" });
    }
  });

  it("says the holder has left once they have, and nothing more", async () => {
    const { viewer, certification } = await certified("Samir Haddad");
    const file = (await certificatePdf(viewer, context(viewer.id), certification.id)).bytes;
    await database
      .db()
      .update(people)
      .set({ status: "departed", departedAt: new Date() })
      .where(eq(people.id, viewer.id));

    const verdict = await verifySignedDocument(file);
    expect(verdict).toMatchObject({ authentic: true, kind: "certificate", certificate: { holderLeft: true } });
    expect(describeVerdict(verdict)).toMatch(/issued to Samir Haddad on .+ \(holder has left the organisation\)$/);
    const byCode = await verifyCertificateCode(certification.verificationCode);
    expect(byCode).toMatchObject({ found: true, holderLeft: true, name: "Samir Haddad" });
    expect(Object.keys(byCode).sort()).toEqual(
      [
        "annulled",
        "courseTitle",
        "courseVersion",
        "expiresAt",
        "found",
        "holderLeft",
        "issuedAt",
        "name",
        "status",
      ].sort(),
    );
    // A file downloaded before they left is still the same file: it is not sealed again.
    const after = await certificatePdf(
      viewerOf({ ...viewer, roles: ["compliance_admin"] }),
      context(),
      certification.id,
    );
    expect(Buffer.from(after.bytes).equals(Buffer.from(file))).toBe(true);
  });
});

describe("sealing when the time-stamping authority fails", () => {
  it("stores nothing and says why; the next download after it recovers seals", async () => {
    const { viewer, certification } = await certified("Ana Silva");
    tsa.mode("http-error");
    try {
      const error = await certificatePdf(viewer, context(viewer.id), certification.id).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TimestampError);
      expect((error as TimestampError).message).toMatch(/could not be sealed.+Nothing was saved/);
    } finally {
      tsa.mode("ok");
    }
    const [row] = await database
      .db()
      .select({ pdfEnc: certifications.pdfEnc, pdfSha256: certifications.pdfSha256 })
      .from(certifications)
      .where(eq(certifications.id, certification.id));
    expect(row).toEqual({ pdfEnc: null, pdfSha256: null });

    const { bytes } = await certificatePdf(viewer, context(viewer.id), certification.id);
    expect(verifySealedPdf(bytes)).toMatchObject({ intact: true });
    expect(verifySealedPdf(bytes).timestampedAt).toBeInstanceOf(Date);
  });

  it("makes one certificate file when 30 first downloads arrive together", async () => {
    const { viewer, certification } = await certified("Kenji Watanabe");
    const requests = tsa.requests();
    const files = await Promise.all(
      Array.from({ length: 30 }, () => certificatePdf(viewer, context(viewer.id), certification.id)),
    );
    const distinct = new Set(files.map((f) => createHash("sha256").update(f.bytes).digest("hex")));
    expect(distinct.size).toBe(1);
    expect(tsa.requests() - requests).toBe(1);
    const [row] = await database
      .db()
      .select({ pdfSha256: certifications.pdfSha256 })
      .from(certifications)
      .where(eq(certifications.id, certification.id));
    expect(distinct.has(row.pdfSha256!)).toBe(true);
    expect((await verifySignedDocument(files[17].bytes)).authentic).toBe(true);
  });
});

describe("a signed agreement with TSA_URL set", () => {
  it("is sealed with a time-stamp that pdfsig and openssl verify", async () => {
    const name = "José Ñúñez";
    const person = await createPerson(database.db(), { name });
    const viewer = viewerOf(person);
    const opened = await openSigning(viewer, "employee-nda", "203.0.113.7");
    await consentToSign(viewer, context(viewer.id), "employee-nda", opened.ceremony.id);
    const { signatureId } = await signAsEmployee(viewer, context(viewer.id), {
      agreementId: "employee-nda",
      ceremonyId: opened.ceremony.id,
      password: TEST_PASSWORD,
      typedName: name,
    });
    const { bytes } = await signedPdf(viewer, context(viewer.id), signatureId);
    const { pdfsig, timestamp } = externalChecks(saved(bytes, "agreement.pdf"));
    expect(pdfsig).toContain("Signature is Valid");
    expect(pdfsig).toContain("Total document signed");
    expect(timestamp).toContain("Verification: OK");
    expect(await verifySignedDocument(bytes)).toMatchObject({ authentic: true, kind: "agreement", signerName: name });
  });

  it("is not made when the TSA cannot be reached: the signing fails and no signature is recorded", async () => {
    const person = await createPerson(database.db(), { name: "Mia Chen" });
    const viewer = viewerOf(person);
    const opened = await openSigning(viewer, "employee-nda", "203.0.113.7");
    await consentToSign(viewer, context(viewer.id), "employee-nda", opened.ceremony.id);
    useTsa("http://127.0.0.1:9/tsr");
    try {
      await expect(
        signAsEmployee(viewer, context(viewer.id), {
          agreementId: "employee-nda",
          ceremonyId: opened.ceremony.id,
          password: TEST_PASSWORD,
          typedName: "Mia Chen",
        }),
      ).rejects.toBeInstanceOf(TimestampError);
    } finally {
      useTsa(tsa.url);
    }
    const rows = await database.db().select().from(signatures).where(eq(signatures.personId, viewer.id));
    expect(rows).toEqual([]);
  });
});

describe("a completion certificate sealed by a CA-issued certificate with a CRL distribution point", () => {
  it("is reported by the API as carrying long-term validation data (B-LT) and a time-stamp (B-T)", async () => {
    const authority = await startTestCrlAuthority();
    process.env.SIGNING_P12_PATH = authority.p12Path;
    process.env.SIGNING_P12_PASSPHRASE = authority.passphrase;
    resetEnvForTests();
    resetSigningIdentityForTests();
    try {
      const holder = await certified("Kai Lindqvist");
      const { bytes } = await certificatePdf(holder.viewer, context(holder.viewer.id), holder.certification.id);
      expect(await verifySignedDocument(bytes)).toMatchObject({
        authentic: true,
        timestamped: true,
        longTermValidation: true,
      });
      const api = await verifyPost(
        new Request("http://localhost/api/v1/verify", {
          method: "POST",
          headers: { "content-type": "application/pdf", "x-forwarded-for": "198.51.100.29" },
          body: new Uint8Array(bytes),
        }),
      );
      expect(await api.json()).toMatchObject({
        authentic: true,
        kind: "certificate",
        seal: { timestamped: true, longTermValidation: true },
      });
    } finally {
      delete process.env.SIGNING_P12_PATH;
      delete process.env.SIGNING_P12_PASSPHRASE;
      resetEnvForTests();
      resetSigningIdentityForTests();
      await authority.close();
    }
  });
});
