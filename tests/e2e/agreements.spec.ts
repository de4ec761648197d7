import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { expect, test, type Page } from "@playwright/test";

import { alertOf, expectNoAxeViolations, signIn, signInWithMfa } from "./helpers";

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
  await page.getByRole("checkbox").check();
  await page.getByRole("button", { name: "Continue to signing" }).click();
  await expect(page.getByRole("button", { name: "Sign the agreement" })).toBeVisible();
  await expectNoAxeViolations(page);

  await page.getByLabel("Your password").fill("Clearance-demo-2026");
  await page.getByLabel("Type your full legal name").fill("Jose Nunez");
  await page.getByRole("button", { name: "Sign the agreement" }).click();
  await expect(alertOf(page)).toContainText('exactly as it appears on your record: "José Ñúñez"');

  await page.getByLabel("Your password").fill("Clearance-demo-2026");
  await page.getByLabel("Type your full legal name").fill("José Ñúñez");
  await drawSignature(page);
  await page.getByRole("button", { name: "Sign the agreement" }).click();
  await expect(page).toHaveURL(/\/agreements\?signed=/);
  await expect(page.getByText("Signed. Your sealed copy")).toBeVisible();

  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download signed Employee Confidentiality Agreement" }).click();
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
    /^Authentic: Employee Confidentiality Agreement v1\.0\.0 signed by José Ñúñez on \d{4}-\d{2}-\d{2}$/,
  );
  await page.getByLabel("Signed agreement or certificate (PDF)").setInputFiles(modifiedFile);
  await page.getByRole("button", { name: "Check document" }).click();
  await expect(page.getByTestId("document-verdict")).toHaveText("Not recognised or modified");
  await expectNoAxeViolations(page);
});

test("a partner signs through the emailed link with a one-time code; the used and the voided links are refused", async ({
  page,
  browser,
}) => {
  await signInWithMfa(page, "carmen.diaz");
  await page.goto("/admin/partners");
  await page.getByLabel("Organisation").fill("Northwind Couriers Ltd");
  await page.getByLabel("Contact's full name").fill("Aroha Ngata");
  await page.getByLabel("Contact's email").fill("aroha@northwind.example");
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
  await partner.getByRole("button", { name: "Email me a code" }).click();
  await expect(partner.getByText("We have emailed you a 6-digit code")).toBeVisible();

  const codeEmail = await readEmail(page, /one-time code/);
  const code = codeEmail.match(/\b\d{6}\b/)![0];
  await partner.getByLabel("6-digit code").fill(code);
  await partner.getByRole("button", { name: "Confirm code" }).click();
  await expect(partner.getByRole("article", { name: "Agreement text" })).toContainText("Northwind Couriers Ltd");
  await partner.getByRole("checkbox").check();
  await partner.getByRole("button", { name: "Continue to signing" }).click();
  await partner.getByLabel("Type your full name").fill("Aroha Ngata");
  await partner.getByRole("button", { name: "Sign the agreement" }).click();
  await expect(partner.getByText("Signed. A sealed copy")).toBeVisible();

  await partner.goto(signingPath);
  await expect(partner.getByRole("heading", { name: "This link has already been used" })).toBeVisible();

  await page.goto("/admin/partners");
  await expect(card.getByText("Signed", { exact: true })).toBeVisible();
  await expect(card.getByRole("link", { name: "Signed PDF" })).toBeVisible();

  // A second partner: the link is voided before use.
  await page.getByLabel("Organisation").fill("Globex Analytics");
  await page.getByLabel("Contact's full name").fill("Omar Haddad");
  await page.getByLabel("Contact's email").fill("omar@globex.example");
  await page.getByRole("button", { name: "Add partner" }).click();
  const globex = page.locator("section", { hasText: "Globex Analytics" });
  await globex.getByRole("button", { name: "Send for signing" }).click();
  await expect(globex.getByText("Pending")).toBeVisible();
  const voidPath = new URL(
    (await readEmail(page, /asks you to sign/)).match(/https?:\/\/\S+\/partner-sign\/[A-Za-z0-9_-]+/)![0],
  ).pathname;
  await page.goto("/admin/partners");
  await globex.getByRole("button", { name: "Void" }).click();
  await expect(globex.getByText("Void", { exact: true })).toBeVisible();
  await partner.goto(voidPath);
  await expect(partner.getByRole("heading", { name: "This link has been withdrawn" })).toBeVisible();
  await partner.goto("/partner-sign/not-a-real-link-token-0000000000");
  await expect(partner.getByRole("heading", { name: "This link is not valid" })).toBeVisible();
});

test("a partner's expired link says so, and a new link works while the old one stays dead", async ({
  page,
  browser,
}) => {
  // The demo organisation sent Harbor Analytics a link 20 days ago; links last 14 days.
  await signInWithMfa(page, "carmen.diaz");
  await page.goto("/admin/partners");
  const harbor = page.locator("section", { hasText: "Harbor Analytics Ltd" });
  await expect(harbor.getByText("Expired", { exact: true })).toBeVisible();

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
