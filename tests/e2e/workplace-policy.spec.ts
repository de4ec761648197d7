import { expect, test, type Page } from "@playwright/test";
import { PDFDocument, StandardFonts } from "pdf-lib";

import { expectNoAxeViolations, giveEsignConsent, shoot, signIn, signInWithMfa } from "./helpers";

/**
 * An organisation writes its own policy in the app, to be acknowledged by
 * everyone after reading it to the end; an employee cannot acknowledge before
 * reaching the end, then does. (Last in the suite: it adds a policy everyone
 * must acknowledge.)
 */

const ID = "clean-desk-policy";
const TITLE = "Clean desk policy";
const PDF_ID = "travel-policy";
const PDF_TITLE = "Travel policy";

async function travelPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.addPage().drawText("Travel policy: lock your laptop away in hotel rooms.", { x: 50, y: 700, font, size: 12 });
  return Buffer.from(await doc.save());
}

const clauses = Array.from(
  { length: 24 },
  (_, i) =>
    `## ${i + 1}. Rule ${i + 1}\n\nAt the end of each day, clear desk area ${i + 1}: lock papers away and log out of every screen.\n`,
).join("\n");

const policy = `---
id: ${ID}
title: ${TITLE}
version: 1.0.0
audience: employee
renewalMonths: 12
signers: { everyone: true }
summary: What to put away before you leave your desk, at the office and at home.
mustRead: true
signature: acknowledge
---
# ${TITLE}

This policy of **{{organisation.name}}** applies to {{person.name}} from {{date}}.

${clauses}
## Last rule

Report a desk left open to the security team.
`;

test.describe.configure({ mode: "serial" });

/** Waits for the signing to land on the agreements list; a refusal fails with what the page said. */
async function expectSigned(page: Page) {
  const signed = page.waitForURL(/\/agreements\?signed=/, { timeout: 30_000 });
  const alert = page.locator("form").getByRole("alert").first();
  const refused = alert.waitFor({ timeout: 30_000 }).then(async () => `the page said: ${await alert.innerText()}`);
  const outcome = await Promise.race([signed.then(() => null), refused.catch(() => null)]);
  expect(outcome).toBeNull();
}

test("a compliance admin writes a policy to be acknowledged after reading it in full, and one kept as a PDF, and publishes both", async ({
  browser,
}) => {
  const admin = await (await browser.newContext()).newPage();
  await signInWithMfa(admin, "carmen.diaz");
  await admin.goto("/admin/content");
  // Published straight away for this one: approval is switched off, then on again.
  const approval = admin.locator("form", { hasText: "Agreements and policies:" });
  await approval.getByRole("button", { name: "Stop requiring approval" }).click();
  await expect(admin.getByText("Compliance admins now publish without a second approval.")).toBeVisible();

  await admin.getByLabel("What").selectOption("agreement");
  await admin.getByLabel("Title").fill(TITLE);
  await admin.getByLabel("Id", { exact: true }).fill(ID);
  await admin.getByRole("button", { name: "Create draft" }).click();
  await expect(admin).toHaveURL(new RegExp(`/admin/content/agreement/${ID}/draft$`));
  await expect(admin.getByText("This is the first version: it is published as 1.0.0.")).toBeVisible();

  const editor = admin.getByLabel(/^Text/);
  await editor.fill(policy.replace("signature: acknowledge", "signature: handshake"));
  await expect(admin.getByRole("heading", { name: /problems? to fix before publishing/ })).toBeVisible();
  await expect(admin.getByRole("button", { name: /signature/ })).toContainText("must be acknowledge, typed or drawn");
  await editor.fill(policy);
  await expect(admin.getByRole("heading", { name: "No problems: ready to publish" })).toBeVisible();
  await expect(admin.getByRole("region", { name: "Preview, as people will see it" })).toContainText(
    "Report a desk left open",
  );
  await admin.getByRole("button", { name: "Save draft" }).click();
  await expect(admin.getByText("Saved.", { exact: true })).toBeVisible();
  await expectNoAxeViolations(admin);
  await shoot(admin, "content-policy-draft");
  await admin.getByRole("button", { name: "Publish now" }).click();
  await expect(admin).toHaveURL(/published=1\.0\.0/);
  await expect(admin.getByText("Published as version 1.0.0.")).toBeVisible();

  // A second policy, kept as a PDF: the Markdown is its introduction.
  await admin.goto("/admin/content");
  await admin.getByLabel("What").selectOption("agreement");
  await admin.getByLabel("Title").fill(PDF_TITLE);
  await admin.getByLabel("Id", { exact: true }).fill(PDF_ID);
  await admin.getByRole("button", { name: "Create draft" }).click();
  await expect(admin).toHaveURL(new RegExp(`/admin/content/agreement/${PDF_ID}/draft$`));
  const text = admin.getByLabel(/^Text/);
  await text.fill((await text.inputValue()).replace("renewalMonths: 12", "renewalMonths: 12\nsignature: acknowledge"));
  await admin.getByRole("button", { name: "Save draft" }).click();
  await expect(admin.getByText("Saved.", { exact: true })).toBeVisible();
  await admin
    .getByLabel("PDF file (at most 10 MB)")
    .setInputFiles({ name: "not-a-policy.pdf", mimeType: "application/pdf", buffer: Buffer.from("<html></html>") });
  await admin.getByRole("button", { name: "Attach the PDF" }).click();
  await expect(admin.getByRole("alert").filter({ hasText: "That file is not a PDF." })).toBeVisible();
  await admin
    .getByLabel("PDF file (at most 10 MB)")
    .setInputFiles({ name: "travel.pdf", mimeType: "application/pdf", buffer: await travelPdf() });
  await admin.getByRole("button", { name: "Attach the PDF" }).click();
  await expect(admin.getByText(/^Attached: travel-policy\.pdf/)).toBeVisible();
  await expect(admin.getByLabel(/^Text/)).toHaveValue(/^document: pdf$/m);
  await expect(admin.getByRole("heading", { name: "No problems: ready to publish" })).toBeVisible();
  await expectNoAxeViolations(admin);
  await admin.getByRole("button", { name: "Publish now" }).click();
  await expect(admin.getByText("Published as version 1.0.0.")).toBeVisible();

  await admin.goto("/admin/content");
  await approval.getByRole("button", { name: "Require approval" }).click();
  await expect(admin.getByText("A second compliance admin must now approve.")).toBeVisible();
});

test("an employee acknowledges the PDF policy only after opening it", async ({ page, context }) => {
  await signIn(page, "liam.oconnor");
  await expect(page).toHaveURL(/\/dashboard/);
  await page.goto(`/agreements/${PDF_ID}`);
  await giveEsignConsent(page);
  const accept = page.getByRole("button", { name: "I have read and accept" });
  await expect(accept).toBeDisabled();
  await expect(page.getByText("Open the policy document first: signing is possible after that.")).toBeVisible();
  const [tab] = await Promise.all([
    context.waitForEvent("page"),
    page.getByRole("link", { name: /Open the policy \(PDF/ }).click(),
  ]);
  await tab.close();
  await expect(page.getByText("You have opened the policy document.")).toBeVisible({ timeout: 30_000 });
  await expect(accept).toBeEnabled();
  await accept.click();
  await expectSigned(page);
});

test("an employee can acknowledge the policy only after reading to the end", async ({ page }) => {
  await signIn(page, "liam.oconnor");
  await expect(page).toHaveURL(/\/dashboard/);
  await page.getByRole("link", { name: `Sign the “${TITLE}”` }).click();
  await expect(page.getByRole("heading", { name: TITLE, level: 1 })).toBeVisible();
  await giveEsignConsent(page);

  const accept = page.getByRole("button", { name: "I have read and accept" });
  await expect(accept).toBeDisabled();
  await expect(page.getByRole("status").filter({ hasText: "Read to the end of the text" })).toBeVisible();
  await expectNoAxeViolations(page);
  await shoot(page, "policy-acknowledge-before-reading");

  // Keyboard reading: focus the text and go to its end.
  await page.getByRole("article", { name: "Agreement text" }).focus();
  await page.keyboard.press("End");
  // The page says so once the server has recorded the reading: like the signing, it can wait behind a scheduler run
  // on the embedded database (logged as "scheduler run was slow").
  await expect(page.getByText("You have read to the end.")).toBeVisible({ timeout: 30_000 });
  await expect(accept).toBeEnabled();
  await accept.click();
  await expectSigned(page);
  await expect(page.getByText(TITLE).first()).toBeVisible();
});
