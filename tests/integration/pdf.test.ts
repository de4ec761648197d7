import { execFileSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { deflateSync } from "node:zlib";

import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFString } from "pdf-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { env } from "@/lib/env";
import { renderAgreementPdf, type AgreementPdfInput } from "@/lib/pdf/render-agreement";
import { renderCertificatePdf } from "@/lib/pdf/render-certificate";
import { sealPdf } from "@/lib/pdf/seal";
import { getSigningIdentity } from "@/lib/pdf/signing-identity";
import { verifySealedPdf } from "@/lib/pdf/verify-seal";

import { elements, readTaggedPdf, type TaggedPdf } from "../helpers/pdf-structure";

const hasPoppler = existsSync("/usr/bin/pdfsig") || commandExists("pdfsig");
if (!hasPoppler)
  console.warn("[pdf.test] pdfsig/pdftotext (poppler-utils) not installed: skipping the checks that need them.");

function commandExists(name: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Text as pdftotext reads it, with line breaks and bidi marks flattened so wrapped phrases compare. */
function pdfText(file: string): string {
  return execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"], { encoding: "utf8" })
    .replace(/[\u200e\u200f\u202a-\u202e]/g, "")
    .replace(/\s+/g, " ");
}

function flat(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function crc32(bytes: Buffer): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

/** A small RGBA PNG with a wavy ink stroke, like a drawn signature. */
function signaturePng(width = 120, height = 40): Uint8Array {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let x = 0; x < width; x++) {
    const y = Math.round(height / 2 + Math.sin(x / 9) * (height / 3));
    for (let dy = -1; dy <= 1; dy++) {
      const row = Math.min(height - 1, Math.max(0, y + dy));
      raw.set([20, 40, 120, 255], row * (width * 4 + 1) + 1 + x * 4);
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function longBody(): string {
  const sections = Array.from({ length: 9 }, (_, i) => [
    `## ${i + 1}. Obligations of part ${i + 1}`,
    "",
    `You agree to protect **confidential information** received in part ${i + 1}, to use it only for the work you are assigned, and to report any loss straight away. This paragraph is deliberately long so that the body wraps across several lines and the agreement runs to more than one page.`,
    "",
    "1. **Access only what you need** — open records only when your current task requires it.",
    "2. Keep information on approved systems, never on personal devices or accounts.",
    "   - nested detail: lock your screen when you step away",
    "",
    "- Report incidents immediately.",
    "- Follow the policies and training we assign to you.",
    "",
  ]);
  return [
    "# Employee Confidentiality Agreement",
    "",
    "This agreement is between **Brightline Support** and **José Ñúñez 李华**.",
    "",
    ...sections.flat(),
    "Colleagues who also signed: Hannah Müller, Иван Петров, محمد علي and 김민준.",
  ].join("\n");
}

const consentText =
  "I agree to receive and sign documents electronically. I understand that my electronic signature has the same legal effect as a handwritten signature, and that I can ask for a paper copy at any time.";
// The consent is Markdown with numbered points, like content/esign-consent.md.
const consentPoints = [
  "**Scope.** This consent covers this agreement only.",
  "**Paper.** I can ask for a paper copy at any time, free of charge, from the contact who sent me this agreement or from the compliance team.",
  "**Withdrawal.** I can withdraw this consent before I sign.",
];
const consentMarkdown = `${consentText}\n\n${consentPoints.map((p, i) => `${i + 1}. ${p}`).join("\n")}\n`;

/**
 * What a tagged PDF must hold for a screen reader: the document is marked and
 * has a language and a title shown as such; all text is tagged or an artifact;
 * every marked-content sequence on a page belongs to exactly the element the
 * parent tree names, and every element's content is on its page.
 */
function expectTagged(tagged: TaggedPdf, title: string) {
  expect(tagged).toMatchObject({ marked: true, lang: "en", displayDocTitle: true, title, untaggedText: 0 });
  expect(tagged.root?.role).toBe("Document");
  const owners = new Map<string, string>();
  for (const element of elements(tagged.root))
    for (const item of element.content) {
      const key = `${item.page}:${item.mcid}`;
      expect(owners.has(key), `${key} belongs to one element`).toBe(false);
      owners.set(key, element.role);
    }
  const used = tagged.pageMcids.flatMap((mcids, page) => mcids.map((mcid) => `${page}:${mcid}`));
  expect(new Set(used).size).toBe(used.length);
  expect([...owners.keys()].sort()).toEqual([...used].sort());
  tagged.pageMcids.forEach((mcids, page) => {
    expect(mcids.length, `page ${page + 1} has tagged content`).toBeGreaterThan(0);
    for (const mcid of mcids) expect(tagged.parentTree.get(page)?.get(mcid)).toBe(owners.get(`${page}:${mcid}`));
  });
}

function agreementInput(): AgreementPdfInput {
  const signedAt = new Date("2025-03-12T14:03:22.000Z");
  return {
    documentId: randomUUID(),
    title: "Employee Confidentiality Agreement",
    version: "1.0.0",
    organisation: "Brightline Support",
    bodyMarkdown: longBody(),
    signer: { name: "José Ñúñez 李华", email: "jose@example.com", organisation: "Partner Org ООО" },
    signedAt,
    signatureImagePng: signaturePng(),
    certificate: {
      authMethod: "Password re-authentication",
      ip: "203.0.113.7",
      userAgent:
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
      consentVersion: "2025-01",
      consentMarkdown,
      textSha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
      events: [
        { at: new Date("2025-03-12T14:00:01.000Z"), label: "Document viewed" },
        { at: new Date("2025-03-12T14:01:30.000Z"), label: "Consent to electronic records given" },
        { at: new Date("2025-03-12T14:03:00.000Z"), label: "Re-authenticated" },
        { at: signedAt, label: "Signed" },
      ],
    },
  };
}

describe("agreement PDF", () => {
  const reason = "Signed by José Ñúñez 李华 (Partner Org ООО) \\ test";
  let dir: string;
  let input: AgreementPdfInput;
  let unsealed: Uint8Array;
  let sealed: Buffer;
  let sealedFile: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "clearance-pdf-"));
    input = agreementInput();
    unsealed = await renderAgreementPdf(input);
    sealed = await sealPdf(unsealed, { reason, location: "Clearance (web)" });
    sealedFile = path.join(dir, "agreement.pdf");
    writeFileSync(sealedFile, sealed);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("renders a multi-page PDF", () => {
    expect(Buffer.from(unsealed.subarray(0, 5)).toString("latin1")).toBe("%PDF-");
    // Fonts are subset: the whole CJK font alone is several MB.
    expect(unsealed.length).toBeLessThan(400_000);
  });

  it.skipIf(!hasPoppler)("passes pdfsig as a valid signature over the whole document", () => {
    const report = execFileSync("pdfsig", [sealedFile], { encoding: "utf8" });
    expect(report).toContain("Signature is Valid");
    expect(report).toContain("Total document signed");
    expect(report).toContain("SHA-256");
    expect(report).toContain("ETSI.CAdES.detached");
  });

  it.skipIf(!hasPoppler)(
    "contains the signer, names in several scripts, the consent text, the id and page numbers",
    () => {
      const text = pdfText(sealedFile);
      expect(text).toContain("José Ñúñez");
      expect(text).toContain("李华");
      expect(text).toContain("Hannah Müller");
      expect(text).toContain("Иван Петров");
      expect(text).toContain("محمد");
      expect(text).toContain("김민준");
      expect(text).toContain(flat(consentText));
      expect(text).toContain("version 2025-01");
      expect(text).toContain(input.documentId);
      expect(text).toContain(`Document ${input.documentId} · Page 1 of`);
      expect(text).toContain("Page 2 of");
      expect(text).toContain(input.certificate.textSha256);
      expect(text).toContain(input.certificate.ip);
      for (const event of input.certificate.events) expect(text).toContain(`${event.at.toISOString()} ${event.label}`);
      expect(text).toContain("Password re-authentication");
    },
  );

  it.skipIf(!hasPoppler)("draws every page within A4 and ends with the signing certificate", () => {
    const info = execFileSync("pdfinfo", [sealedFile], { encoding: "utf8" });
    const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(info).toMatch(/Page size:\s+595\.2\d? x 841\.8\d? pts \(A4\)/);
    const last = execFileSync("pdftotext", ["-f", String(pages), "-l", String(pages), sealedFile, "-"], {
      encoding: "utf8",
    });
    expect(last).toContain("Signing certificate");
    expect(flat(last)).toContain(`Page ${pages} of ${pages}`);
  });

  it.skipIf(!hasPoppler)(
    "is a tagged PDF after sealing, with headings, lists, tables and the signature's alt text",
    async () => {
      expect(execFileSync("pdfinfo", [sealedFile], { encoding: "utf8" })).toMatch(/^Tagged:\s+yes$/m);
      const tagged = await readTaggedPdf(sealed);
      expectTagged(tagged, "Employee Confidentiality Agreement (version 1.0.0)");
      const xmp = execFileSync("pdfinfo", ["-meta", sealedFile], { encoding: "utf8" });
      expect(xmp).toContain('<rdf:li xml:lang="x-default">Employee Confidentiality Agreement (version 1.0.0)</rdf:li>');
      expect(xmp).toContain("<dc:language><rdf:Bag><rdf:li>en</rdf:li></rdf:Bag></dc:language>");

      const all = elements(tagged.root);
      const roles = new Set(all.map((e) => e.role));
      for (const role of ["H1", "H2", "P", "L", "LI", "Lbl", "LBody", "Table", "TR", "TH", "TD", "Figure"])
        expect(roles, role).toContain(role);
      expect(tagged.root!.children.slice(0, 3).map((e) => e.role)).toEqual(["P", "H1", "P"]);
      // H1 is the title; the body's "## n." sections are H2, with no level skipped.
      expect(all.filter((e) => e.role === "H2").length).toBeGreaterThanOrEqual(9);
      expect(roles).not.toContain("H3");
      expect(all.filter((e) => e.role === "Figure").map((e) => e.alt)).toEqual([
        `Signature drawn by ${input.signer.name}`,
      ]);
      for (const item of all.filter((e) => e.role === "LI"))
        expect(item.children.map((e) => e.role)).toEqual(["Lbl", "LBody"]);
      for (const header of all.filter((e) => e.role === "TH")) expect(header.scope).toBe("Row");
      // Nested lists sit inside their item's body.
      expect(all.some((e) => e.role === "LBody" && e.children.some((c) => c.role === "L"))).toBe(true);
      // The consent's three numbered points are one list of three items.
      const certificate = tagged.root!.children.find((e) => e.role === "Sect")!;
      const consentLists = certificate.children.filter((e) => e.role === "L");
      expect(consentLists.map((l) => l.children.length)).toEqual([3]);

      // Poppler reads the same tree.
      const structure = execFileSync("pdfinfo", ["-struct-text", sealedFile], { encoding: "utf8" });
      expect(structure).toMatch(/H1[^\n]*\n\s*"Employee Confidentiality Agreement"/);
      expect(structure).toMatch(/Lbl[^\n]*\n\s*"2\."/);
    },
  );

  it.skipIf(!hasPoppler)("reads in order, and sets the consent's points as a numbered list", () => {
    const text = pdfText(sealedFile);
    const order = [
      ...Array.from({ length: 9 }, (_, i) => `${i + 1}. Obligations of part ${i + 1}`),
      "Electronic signature",
      "Signing certificate",
      "Consent to electronic records",
      "Integrity",
    ].map((heading) => text.indexOf(heading));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);

    const layout = execFileSync("pdftotext", ["-layout", "-enc", "UTF-8", sealedFile, "-"], { encoding: "utf8" });
    consentPoints.forEach((point, i) => {
      const words = point.replace(/\*\*/g, "").split(" ").slice(0, 3).join(" ");
      // Each point starts its own line with its number, its text hanging to the right of it.
      expect(layout).toMatch(new RegExp(`^\\s*${i + 1}\\.\\s+${words.replace(/\./g, "\\.")}`, "m"));
    });
    expect(text).not.toMatch(/time\. 2\./);
  });

  it.skipIf(!hasPoppler)("never ends on a page holding only the certificate's last lines", async () => {
    // Longer and longer audit trails move the end of the certificate down the page and over it.
    for (let extra = 0; extra < 40; extra += 3) {
      const longer = agreementInput();
      longer.certificate.events.push(
        ...Array.from({ length: extra }, (_, i) => ({
          at: new Date(Date.UTC(2025, 2, 12, 14, 2, i)),
          label: "Viewed",
        })),
      );
      const file = path.join(dir, `trail-${extra}.pdf`);
      writeFileSync(file, await renderAgreementPdf(longer));
      const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync("pdfinfo", [file], { encoding: "utf8" }))?.[1]);
      const last = flat(
        execFileSync("pdftotext", ["-f", String(pages), "-l", String(pages), file, "-"], { encoding: "utf8" }),
      );
      expect(last, `${extra} more events`).toContain("Integrity SHA-256 of the agreement text");
      expect(last, `${extra} more events`).toContain("a PDF reader shows the seal in its signature panel.");
    }
  });

  it("records the reason and location in the signature dictionary", async () => {
    const doc = await PDFDocument.load(sealed);
    const form = doc.catalog.lookup(PDFName.of("AcroForm"), PDFDict);
    const field = form.lookup(PDFName.of("Fields"), PDFArray).lookup(0, PDFDict);
    const signature = field.lookup(PDFName.of("V"), PDFDict);
    const text = (key: string) => (signature.lookup(PDFName.of(key)) as PDFString | PDFHexString).decodeText();
    expect(text("Reason")).toBe(reason);
    expect(text("Location")).toBe("Clearance (web)");
    expect(text("Name")).toBe(`${env().ORG_NAME} document sealing`);
  });

  it("verifies its own seal", () => {
    const check = verifySealedPdf(sealed);
    expect(check).toMatchObject({
      signed: true,
      intact: true,
      coversWholeDocument: true,
      signerCommonName: `${env().ORG_NAME} document sealing`,
    });
    expect(Math.abs(check.signedAt!.getTime() - Date.now())).toBeLessThan(5 * 60_000);
  });

  it("notices one changed byte anywhere", () => {
    const contents = sealed.indexOf("/Contents <");
    const contentsEnd = sealed.indexOf(">", contents);
    // Start, middle and end of the file; the signature blob, its certificate and its zero padding.
    const positions = [
      0,
      200,
      Math.floor(sealed.length / 2),
      sealed.length - 1,
      contents + 40,
      contents + 1200,
      contents + 2000,
      contentsEnd - 5,
    ];
    for (const position of positions) {
      expect(position).toBeLessThan(sealed.length);
      const tampered = Buffer.from(sealed);
      tampered[position] ^= 0x01;
      const check = verifySealedPdf(tampered);
      expect(check.signed && check.intact, `byte ${position}`).toBe(false);
    }
  });

  it("does not count an appended update as the sealed document", () => {
    const appended = Buffer.concat([sealed, Buffer.from("\n% appended\n")]);
    expect(verifySealedPdf(appended)).toMatchObject({ signed: true, intact: false, coversWholeDocument: false });
  });

  it("reports unsigned PDFs and garbage as not signed", () => {
    expect(verifySealedPdf(unsealed)).toEqual({
      signed: false,
      intact: false,
      coversWholeDocument: false,
      signerCommonName: null,
      signedAt: null,
      timestampedAt: null,
      longTermValidation: false,
    });
    expect(verifySealedPdf(randomBytes(4096)).signed).toBe(false);
    expect(verifySealedPdf(new Uint8Array()).signed).toBe(false);
    expect(verifySealedPdf(Buffer.from("/ByteRange [0 10 20 99999999] /Contents <zz>")).signed).toBe(false);
    expect(verifySealedPdf(sealed.subarray(0, sealed.length - 100)).intact).toBe(false);
  });
});

describe("signing identity", () => {
  it("makes one self-signed development certificate and reuses it", () => {
    const first = getSigningIdentity();
    expect(first).toBe(getSigningIdentity());
    expect(first.selfSigned).toBe(true);
    expect(first.commonName).toBe(`${env().ORG_NAME} document sealing`);
    const file = path.join(env().dataDir, "signing.p12");
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(statSync(`${file}.passphrase`).mode & 0o077).toBe(0);
  });
});

describe("completion certificate PDF", () => {
  it.skipIf(!hasPoppler)(
    "is one landscape page with the person, course, dates, code and verification URL",
    async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), "clearance-cert-"));
      try {
        const file = path.join(dir, "certificate.pdf");
        const pdf = await renderCertificatePdf({
          personName: "Hannah Müller 李华",
          courseTitle: "Support Data Handling",
          courseVersion: "2.1.0",
          organisation: "Brightline Support",
          issuedAt: new Date("2025-03-12T10:00:00Z"),
          expiresAt: new Date("2026-03-12T10:00:00Z"),
          verificationCode: "K7QX-9M2P-4TZD",
          verifyUrl: "https://clearance.example.com/verify/K7QX-9M2P-4TZD",
        });
        writeFileSync(file, pdf);
        const text = pdfText(file);
        expect(text).toContain("Hannah Müller 李华");
        expect(text).toContain("Support Data Handling");
        expect(text).toContain("Version 2.1.0");
        expect(text).toContain("12 March 2025");
        expect(text).toContain("12 March 2026");
        expect(text).toContain("K7QX-9M2P-4TZD");
        expect(text).toContain("Verify at https://clearance.example.com/verify/K7QX-9M2P-4TZD");
        const info = execFileSync("pdfinfo", [file], { encoding: "utf8" });
        expect(info).toMatch(/Pages:\s+1\n/);
        expect(info).toMatch(/Page size:\s+841\.8\d? x 595\.2\d? pts/);
        expect(info).toMatch(/^Tagged:\s+yes$/m);

        const tagged = await readTaggedPdf(pdf);
        expectTagged(tagged, "Certificate of completion: Support Data Handling");
        const all = elements(tagged.root);
        expect(all.filter((e) => e.role === "H1")).toHaveLength(1);
        expect(all.filter((e) => e.role === "Figure").map((e) => e.alt)).toEqual([
          "QR code linking to https://clearance.example.com/verify/K7QX-9M2P-4TZD",
        ]);
        const [table] = all.filter((e) => e.role === "Table");
        expect(table.children.map((row) => row.children.map((cell) => `${cell.role}:${cell.scope ?? ""}`))).toEqual([
          ["TH:Column", "TH:Column", "TH:Column"],
          ["TD:", "TD:", "TD:"],
        ]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
