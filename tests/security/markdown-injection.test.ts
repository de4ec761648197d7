import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { agreementText } from "@/lib/agreements/complete-signature";
import { openSigning } from "@/lib/agreements/employee-agreements";
import { fillPlaceholders } from "@/lib/agreements/signing.rules";
import { getAgreementTemplate, getContent } from "@/lib/content";
import { markdownToPlainText, renderMarkdown } from "@/lib/content/markdown";
import { resetEnvForTests } from "@/lib/env";
import { markdownBlocks, plain } from "@/lib/pdf/markdown-blocks";
import { renderAgreementPdf } from "@/lib/pdf/render-agreement";

import { createPerson, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

/**
 * Names are data that someone else typed (an import, a partner's admin, SCIM).
 * Placed into an agreement they must stay text: no link, image, markup or HTML
 * in what the signer reads, nor in the PDF they sign.
 */
const database = withTestDatabase();

const HOSTILE_NAMES = [
  "[Verify your account](https://evil.example/login)",
  "<img src=x onerror=alert(1)>",
  "**bold** and _it_ ~~gone~~",
  "`code` and ``` fence",
  "Ana\n\n# Urgent: [click here](https://evil.example/login)",
  "https://evil.example/login",
  "Ana ![pixel](https://evil.example/t.png)",
  "O'Brien & Sons <script>alert(1)</script> &amp;",
  "<https://evil.example/login> [ref]: https://evil.example",
  "Ana\\[not\\](escaped)",
];

const decode = (html: string) =>
  html
    .replace(/<[^>]*>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#0?39;|&#x27;/g, "'")
    .replace(/&amp;/g, "&");
const plainAgreement = (id: string) =>
  renderMarkdown(
    fillPlaceholders(getAgreementTemplate(id)!.body, {
      personName: "Ana Silva",
      personEmail: "ana@example.test",
      organisation: "Acme",
      jurisdiction: "England and Wales",
      partnerName: "Acme",
      date: new Date(),
    }),
  );
const squash = (s: string) => s.replace(/\s+/g, " ");

const tagsOf = (html: string) => (html.match(/<[a-z0-9]+\b/g) ?? []).sort().join(" ");

/** The same markup as the agreement with a plain name, no link to evil.example, and the name there character for character. */
function expectInertHtml(html: string, plainHtml: string, name: string) {
  expect(html).not.toMatch(/<a\b[^>]*evil\.example/);
  expect(tagsOf(html)).toBe(tagsOf(plainHtml));
  // Its line breaks become spaces.
  expect(squash(decode(html))).toContain(squash(name));
}

describe("names placed into agreement text", () => {
  const workDir = mkdtempSync(path.join(os.tmpdir(), "md-injection-"));
  afterAll(() => {
    rmSync(workDir, { recursive: true, force: true });
    delete process.env.ORG_NAME;
    delete process.env.ORG_JURISDICTION;
    resetEnvForTests();
  });

  it.each(HOSTILE_NAMES)("an employee named %j sees their name as text on the signing page", async (name) => {
    const person = await createPerson(database.db(), { name });
    const { text } = await openSigning(viewerOf(person), "employee-nda", "203.0.113.9");
    expectInertHtml(renderMarkdown(text), plainAgreement("employee-nda"), name);
  });

  it.each(HOSTILE_NAMES)(
    "a partner and contact named %j are text in the partner agreement and its PDF",
    async (name) => {
      const template = getAgreementTemplate("partner-dpa")!;
      const body = agreementText(
        template,
        { name, email: "contact@partner.example", partnerName: name },
        new Date("2026-03-01T00:00:00Z"),
      );
      expectInertHtml(renderMarkdown(body), plainAgreement("partner-dpa"), name);

      const blocks = markdownBlocks(body).map((b) => (b.kind === "rule" ? "" : plain(b.spans)));
      expect(squash(blocks.join("\n"))).toContain(squash(name));
      expect(blocks.some((b) => b.includes("evil.example") && !b.includes(squash(name)))).toBe(false);

      const pdf = await renderAgreementPdf({
        documentId: "00000000-0000-4000-8000-000000000001",
        title: template.title,
        version: template.version,
        organisation: "Brightline Support",
        bodyMarkdown: body,
        signer: { name, email: "contact@partner.example", organisation: name },
        signedAt: new Date("2026-03-01T00:00:00Z"),
        certificate: {
          authMethod: "email one-time code",
          ip: "203.0.113.9",
          userAgent: "vitest",
          consentVersion: "1",
          consentMarkdown: "I agree.",
          textSha256: "0".repeat(64),
          events: [],
        },
      });
      if (!existsSync("/usr/bin/pdftotext")) return;
      const file = path.join(workDir, "agreement.pdf");
      writeFileSync(file, pdf);
      const text = squash(execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"], { encoding: "utf8" }));
      expect(text).toContain(`Accepted on behalf of ${squash(name)} by`);
    },
  );

  it("an organisation name with Markdown is text in the agreement and in the consent's plain text", async () => {
    const name = "Acme [Login](https://evil.example) **Ltd.**";
    process.env.ORG_NAME = name;
    resetEnvForTests();
    const person = await createPerson(database.db(), { name: "Ana Silva" });
    const { text, consent } = await openSigning(viewerOf(person), "employee-nda", "203.0.113.9");
    expectInertHtml(renderMarkdown(text), plainAgreement("employee-nda"), name);
    expectInertHtml(
      renderMarkdown(consent.text),
      renderMarkdown(
        fillPlaceholders(getContent().esignConsent!.text, {
          personName: "",
          personEmail: "",
          organisation: "Acme",
          jurisdiction: "England and Wales",
          date: new Date(),
        }),
      ),
      name,
    );
    expect(markdownToPlainText(consent.text)).toContain(name);
  });

  it("a governing-law setting with Markdown is text in the agreement", async () => {
    const jurisdiction = "England [and Wales](https://evil.example) **only**";
    process.env.ORG_JURISDICTION = jurisdiction;
    resetEnvForTests();
    const person = await createPerson(database.db(), { name: "Ana Silva" });
    const { text } = await openSigning(viewerOf(person), "employee-nda", "203.0.113.9");
    expectInertHtml(renderMarkdown(text), plainAgreement("employee-nda"), jurisdiction);
    delete process.env.ORG_JURISDICTION;
    resetEnvForTests();
  });
});
