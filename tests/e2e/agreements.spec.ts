import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { expect, test, type Page } from "@playwright/test";

import { alertOf, expectNoAxeViolations, giveEsignConsent, signIn, signInWithMfa } from "./helpers";

const tmp = () => mkdtempSync(path.join(os.tmpdir(), "e2e-agreements-"));

async function drawSignature(page: Page) {
  const pad = page.getByTestId("signature-pad");
  const box = (await pad.boundingBox())!;
  await page.mouse.move(box.x + 20, box.y + box.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + 20 + i * 25, box.y + box.height / 2 + (i % 2 ? -20 : 20));
  await page.mouse.up();
}

/** Opens the newest outbox email whose subject matches (to `to`, if given), as a compliance admin, and returns its text. */
async function readEmail(admin: Page, subject: RegExp, to?: string): Promise<string> {
  await admin.goto(to ? `/admin/outbox?to=${encodeURIComponent(to)}` : "/admin/outbox");
  await admin.getByRole("link", { name: subject }).first().click();
  return admin.getByTestId("email-text").innerText();
}

test("an employee signs the NDA with a drawn signature, downloads it, and /verify tells the real file from a modified one", async ({
  page,
}) => {
  await signIn(page, "jose.nunez");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Agreements" }).click();
  await expectNoAxeViolations(page);
  await page.getByRole("link", { name: "Review and sign Employee Confidentiality Agreement" }).click();
  await expect(page.getByRole("article", { name: "Agreement text" })).toContainText("José Ñúñez");
  // Consent needs the code from a PDF made for this signing (ESIGN §7001(c)(1)(C)(ii)); a wrong code is a field error.
  await page.getByRole("checkbox").check();
  const [checkPdf] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Open the consent-check PDF" }).click(),
  ]);
  expect(checkPdf.suggestedFilename()).toBe("consent-check-employee-nda.pdf");
  await page.getByLabel("Code from the PDF").fill("22222Z");
  await page.getByRole("button", { name: "Continue to signing" }).click();
  await expect(page.getByText("That is not the code in your consent-check PDF")).toBeVisible();
  await expect(page.getByLabel("Code from the PDF")).toHaveAttribute("aria-invalid", "true");
  await expectNoAxeViolations(page);
  await giveEsignConsent(page);
  await expect(page.getByRole("button", { name: "Sign the agreement" })).toBeVisible();
  await expectNoAxeViolations(page);

  await page.getByLabel("Your password").fill("Clearance-demo-2026");
  await page.getByLabel("Type your full legal name").fill("Jose Nunez");
  await page.getByRole("button", { name: "Sign the agreement" }).click();
  await expect(alertOf(page)).toContainText("Please correct the highlighted fields.");
  await expect(page.getByText('exactly as it appears on your record: "José Ñúñez"')).toBeVisible();
  await expect(page.getByLabel("Type your full legal name")).toHaveValue("Jose Nunez");

  // A wrong password keeps the typed name, never the password, and says what was wrong beside the field.
  await page.getByLabel("Type your full legal name").fill("José Ñúñez");
  await page.getByLabel("Your password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign the agreement" }).click();
  await expect(page.getByText("That password is not right.")).toBeVisible();
  await expect(page.getByLabel("Your password")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Your password")).toHaveValue("");
  await expect(page.getByLabel("Type your full legal name")).toHaveValue("José Ñúñez");
  await expectNoAxeViolations(page);

  await page.getByLabel("Your password").fill("Clearance-demo-2026");
  await drawSignature(page);
  await page.getByRole("button", { name: "Sign the agreement" }).click();
  await expect(page).toHaveURL(/\/agreements\?signed=/);
  await expect(page.getByText("Signed. Your sealed copy")).toBeVisible();

  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download PDF of the signed Employee Confidentiality Agreement" }).click();
  const file = path.join(tmp(), "nda.pdf");
  await (await download).saveAs(file);
  expect(readFileSync(file).subarray(0, 5).toString()).toBe("%PDF-");

  const modified = Buffer.from(readFileSync(file));
  modified[Math.floor(modified.length / 3)] ^= 0x20;
  const modifiedFile = path.join(tmp(), "nda-modified.pdf");
  writeFileSync(modifiedFile, modified);

  await page.goto("/verify");
  await page.getByLabel("Signed agreement or certificate (PDF)").setInputFiles(file);
  await page.getByRole("button", { name: "Check document" }).click();
  await expect(page.getByTestId("document-verdict")).toHaveText(
    /^Authentic: Employee Confidentiality Agreement v\d+\.\d+\.\d+ signed by José Ñúñez on \d{4}-\d{2}-\d{2}$/,
  );
  // The demo seals with a self-signed certificate and no time-stamping authority: the page says what that means.
  await expect(page.getByTestId("seal-level")).toContainText("Sealed with the organisation's certificate.");
  await expect(page.getByTestId("seal-level")).toContainText("no trusted time-stamp");
  await page.getByLabel("Signed agreement or certificate (PDF)").setInputFiles(modifiedFile);
  await page.getByRole("button", { name: "Check document" }).click();
  await expect(page.getByTestId("document-verdict")).toHaveText("Not recognised or modified");
  await expect(page.getByTestId("seal-level")).toHaveCount(0);
  await expectNoAxeViolations(page);
});

test("a partner signs through the emailed link with a one-time code; the used and the voided links are refused", async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  await signInWithMfa(page, "carmen.diaz");
  await page.goto("/admin/partners");
  await page.getByLabel("Organisation").fill("Northwind Couriers Ltd");
  await page.getByLabel("Contact's full name").fill("Aroha Ngata");
  await page.getByLabel("Contact's email").fill("aroha@northwind.example");
  // A processor: the controller-to-controller agreement does not apply.
  await page.getByLabel("Controller-to-Controller Data Sharing Agreement").uncheck();
  await page.getByRole("button", { name: "Add partner" }).click();
  await expect(page.getByText("Northwind Couriers Ltd added.")).toBeVisible();
  await expectNoAxeViolations(page);
  const card = page.locator("section", { hasText: "Northwind Couriers Ltd" });
  await card.getByRole("button", { name: "Send for signing" }).click();
  await expect(card.getByText("Pending")).toBeVisible();

  const linkEmail = await readEmail(page, /asks you to sign/);
  const link = linkEmail.match(/https?:\/\/\S+\/partner-sign\/[A-Za-z0-9_-]+/)![0];
  const signingPath = new URL(link).pathname;

  const partner = await (await browser.newContext()).newPage();
  await partner.goto(signingPath);
  await expect(partner.getByRole("heading", { level: 1 })).toHaveText(
    "Third-Party Data Protection and Confidentiality Agreement",
  );
  await expectNoAxeViolations(partner);
  // Partners have no account: no sign-in anywhere on their pages.
  await expect(partner.getByRole("link", { name: "Sign in" })).toHaveCount(0);
  // A code typed before asking for one: told to ask first, and that message goes once a code is sent.
  await partner.getByLabel("6-digit code").fill("123456");
  await partner.getByRole("button", { name: "Confirm code" }).click();
  await expect(alertOf(partner)).toHaveText("No code has been sent for this link yet. Select “Email me a code” first.");
  await partner.getByRole("button", { name: "Email me a code" }).click();
  await expect(partner.getByText("We have emailed you a 6-digit code")).toBeVisible();
  await expect(alertOf(partner)).toHaveCount(0);

  const codeEmail = await readEmail(page, /one-time code/);
  const code = codeEmail.match(/\b\d{6}\b/)![0];
  await partner.getByLabel("6-digit code").fill(code);
  await partner.getByRole("button", { name: "Confirm code" }).click();
  await expect(partner.getByRole("article", { name: "Agreement text" })).toContainText("Northwind Couriers Ltd");
  await giveEsignConsent(partner);
  await partner.getByLabel("Type your full name").fill("Aroha Ngata");
  await partner.getByRole("button", { name: "Sign the agreement" }).click();
  // The completion page keeps the consent's promise: the signed copy downloads right here, and nothing is left to decline.
  await expect(partner.getByRole("heading", { level: 1 })).toHaveText(
    "Signed: Third-Party Data Protection and Confidentiality Agreement",
  );
  await expect(partner.getByText("A copy is also on its way to aroha@northwind.example")).toBeVisible();
  await expect(partner.getByText("I do not want to sign")).toHaveCount(0);
  await expect(partner.getByRole("link", { name: "Sign in" })).toHaveCount(0);
  await expectNoAxeViolations(partner);
  const partnerDownload = partner.waitForEvent("download");
  await partner.getByRole("link", { name: "Download the signed agreement (PDF)" }).click();
  const partnerFile = path.join(tmp(), "partner.pdf");
  await (await partnerDownload).saveAs(partnerFile);
  expect(readFileSync(partnerFile).subarray(0, 5).toString()).toBe("%PDF-");

  // Any other browser finds the link spent, and cannot download the copy.
  const stranger = await (await browser.newContext()).newPage();
  await stranger.goto(signingPath);
  await expect(stranger.getByRole("heading", { name: "This link has already been used" })).toBeVisible();
  expect((await stranger.request.get(`${signingPath}/document`)).status()).toBe(404);

  await page.goto("/admin/partners");
  await expect(card.getByText("Signed", { exact: true })).toBeVisible();
  await expect(card.getByRole("link", { name: "Signed PDF" })).toBeVisible();

  // A second partner: the link is voided before use.
  await page.getByLabel("Organisation").fill("Globex Analytics");
  await page.getByLabel("Contact's full name").fill("Omar Haddad");
  await page.getByLabel("Contact's email").fill("omar@globex.example");
  // A processor: the controller-to-controller agreement does not apply.
  await page.getByLabel("Controller-to-Controller Data Sharing Agreement").uncheck();
  await page.getByRole("button", { name: "Add partner" }).click();
  const globex = page.locator("section", { hasText: "Globex Analytics" });
  await globex.getByRole("button", { name: "Send for signing" }).click();
  await expect(globex.getByText("Pending")).toBeVisible();
  const voidPath = new URL(
    (await readEmail(page, /asks you to sign/)).match(/https?:\/\/\S+\/partner-sign\/[A-Za-z0-9_-]+/)![0],
  ).pathname;
  await page.goto("/admin/partners");
  // With no email delivery an admin copies a new link to pass on; it replaces the emailed one, and still needs the code.
  await globex.getByRole("button", { name: "Copy signing link" }).click();
  const copiedUrl = await globex.getByLabel("Signing link for Globex Analytics").inputValue();
  expect(copiedUrl).toMatch(/\/partner-sign\/[A-Za-z0-9_-]+$/);
  await expect(globex.getByText("the emailed one no longer works")).toBeVisible();
  await expectNoAxeViolations(page);
  const copiedPath = new URL(copiedUrl).pathname;
  await partner.goto(voidPath);
  await expect(partner.getByRole("heading", { name: "This link is not valid" })).toBeVisible();
  await partner.goto(copiedPath);
  await expect(partner.getByRole("button", { name: "Email me a code" })).toBeVisible();
  await expect(partner.getByRole("article", { name: "Agreement text" })).toHaveCount(0);

  await page.goto("/admin/partners");
  await globex.getByRole("button", { name: "Void" }).click();
  await expect(globex.getByText("Void", { exact: true })).toBeVisible();
  await partner.goto(copiedPath);
  await expect(partner.getByRole("heading", { name: "This link has been withdrawn" })).toBeVisible();
  await partner.goto("/partner-sign/not-a-real-link-token-0000000000");
  await expect(partner.getByRole("heading", { name: "This link is not valid" })).toBeVisible();
});

test("a partner's expired link says so, and a new link works while the old one stays dead", async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  // The demo organisation sent Harbor Analytics a link 20 days ago; links last 14 days.
  await signInWithMfa(page, "carmen.diaz");
  await page.goto("/admin/partners");
  const harbor = page.locator("section", { hasText: "Harbor Analytics Ltd" });
  await expect(harbor.getByText("Link expired", { exact: true })).toBeVisible();
  await expect(harbor.getByText(/The signing link expired on \d{1,2} \w{3} \d{4} unsigned/)).toBeVisible();

  // The outbox finds the partner's email by recipient.
  await page.goto("/admin/outbox");
  await page.getByRole("searchbox", { name: "Recipient" }).fill("tomas.rivera");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/to=tomas\.rivera/);
  await expect(page.getByRole("cell", { name: "tomas.rivera@harbor-analytics.example" })).toHaveCount(1);
  await expectNoAxeViolations(page);
  const linkPattern = /https?:\/\/\S+\/partner-sign\/[A-Za-z0-9_-]+/;
  const expiredPath = new URL((await readEmail(page, /asks you to sign/, "tomas.rivera")).match(linkPattern)![0])
    .pathname;

  const partner = await (await browser.newContext()).newPage();
  await partner.goto(expiredPath);
  await expect(partner.getByRole("heading", { name: "This link has expired" })).toBeVisible();
  await expect(partner.getByText("Signing links are valid for 14 days")).toBeVisible();
  await expect(partner.getByRole("button", { name: "Email me a code" })).toHaveCount(0);
  await expectNoAxeViolations(partner);

  // An expired link is not resent but replaced: a new request with a new link.
  await page.goto("/admin/partners");
  await harbor.getByRole("button", { name: "Send for signing" }).click();
  await expect(harbor.getByText("Pending")).toBeVisible();
  const freshPath = new URL((await readEmail(page, /asks you to sign/, "tomas.rivera")).match(linkPattern)![0])
    .pathname;
  expect(freshPath).not.toBe(expiredPath);
  await partner.goto(freshPath);
  await expect(partner.getByRole("heading", { level: 1 })).toHaveText(
    "Third-Party Data Protection and Confidentiality Agreement",
  );
  await expect(partner.getByRole("button", { name: "Email me a code" })).toBeVisible();
  await partner.goto(expiredPath);
  await expect(partner.getByRole("heading", { name: "This link has expired" })).toBeVisible();
});
