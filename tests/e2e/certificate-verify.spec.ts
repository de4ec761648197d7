import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { expect, test } from "@playwright/test";

import { expectNoAxeViolations, signIn } from "./helpers";

test("an employee downloads their completion certificate, and anyone can check the file at /verify", async ({
  page,
  browser,
  request,
}) => {
  // 李华 holds the demo organisation's Data Protection Law certification.
  await signIn(page, "li.hua");
  await expect(page).toHaveURL(/\/dashboard/);
  await page.goto("/courses/data-protection-law");
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download certificate (PDF)" }).click();
  const dir = mkdtempSync(path.join(os.tmpdir(), "certificate-verify-"));
  const file = path.join(dir, "certificate.pdf");
  await (await download).saveAs(file);
  const bytes = readFileSync(file);
  expect(bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");

  // The second download is the same sealed file.
  const again = await page.request.get(new URL(page.url()).origin + (await downloadHref(page)));
  expect(Buffer.from(await again.body()).equals(bytes)).toBe(true);

  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto("/verify");
  await expectNoAxeViolations(visitor);
  await visitor.getByLabel("Signed agreement or certificate (PDF)").setInputFiles(file);
  await visitor.getByRole("button", { name: "Check document" }).click();
  const verdict = visitor.getByTestId("document-verdict");
  await expect(verdict).toContainText("Authentic: certificate of completion of");
  await expect(verdict).toContainText("issued to 李华");
  await expect(verdict).not.toContainText("@");
  await expectNoAxeViolations(visitor);

  const edited = Buffer.from(bytes);
  edited[Math.floor(edited.length / 2)] ^= 0x01;
  const editedFile = path.join(dir, "edited.pdf");
  writeFileSync(editedFile, edited);
  await visitor.getByLabel("Signed agreement or certificate (PDF)").setInputFiles(editedFile);
  await visitor.getByRole("button", { name: "Check document" }).click();
  await expect(verdict).toHaveText("Not recognised or modified");

  const api = await request.post("/api/v1/verify", { headers: { "content-type": "application/pdf" }, data: bytes });
  expect(api.status()).toBe(200);
  expect(await api.json()).toMatchObject({
    authentic: true,
    kind: "certificate",
    certificate: { holder: "李华", holderLeft: false },
  });
  const refused = await request.post("/api/v1/verify", {
    headers: { "content-type": "application/pdf" },
    data: edited,
  });
  expect(await refused.json()).toEqual({ authentic: false, message: "Not recognised or modified" });
});

async function downloadHref(page: import("@playwright/test").Page): Promise<string> {
  const href = await page.getByRole("link", { name: "Download certificate (PDF)" }).getAttribute("href");
  expect(href).toMatch(/^\/certificates\/[0-9a-f-]{36}$/);
  return href!;
}
