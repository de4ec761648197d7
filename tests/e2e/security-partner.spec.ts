import { expect, test, type Page } from "@playwright/test";

import { giveEsignConsent, signInWithMfa } from "./helpers";

/**
 * A partner's signing link leaks (a forwarded email, a shared screen) after
 * the contact confirmed the emailed code: whoever opens it in another browser
 * must face the code step again, and the contact's own browser carries on.
 */
const linkPattern = /https?:\/\/\S+\/partner-sign\/[A-Za-z0-9_-]+/;

async function newestEmailTo(admin: Page, to: string, subject: RegExp): Promise<string> {
  await admin.goto(`/admin/outbox?to=${encodeURIComponent(to)}`);
  await admin.getByRole("link", { name: subject }).first().click();
  return admin.getByTestId("email-text").innerText();
}

test("a confirmed signing link opened in another browser asks for a code again; the confirming browser still signs", async ({
  page,
  browser,
}) => {
  const contact = `lena-${Date.now()}@contoso-freight.example`;
  await signInWithMfa(page, "carmen.diaz");
  await page.goto("/admin/partners");
  await page.getByLabel("Organisation").fill("Contoso Freight AB");
  await page.getByLabel("Contact's full name").fill("Lena Berg");
  await page.getByLabel("Contact's email").fill(contact);
  // A processor: the controller-to-controller agreement does not apply.
  await page.getByLabel("Controller-to-Controller Data Sharing Agreement").uncheck();
  await page.getByRole("button", { name: "Add partner" }).click();
  const card = page.locator("section", { hasText: "Contoso Freight AB" });
  await card.getByRole("button", { name: "Send for signing" }).click();
  await expect(card.getByText("Pending")).toBeVisible();
  const signingPath = new URL((await newestEmailTo(page, contact, /asks you to sign/)).match(linkPattern)![0]).pathname;

  // The contact confirms the code in their own browser.
  const ownContext = await browser.newContext();
  const own = await ownContext.newPage();
  await own.goto(signingPath);
  await own.getByRole("button", { name: "Email me a code" }).click();
  await expect(own.getByText("We have emailed you a 6-digit code")).toBeVisible();
  const code = (await newestEmailTo(page, contact, /one-time code/)).match(/\b\d{6}\b/)![0];
  await own.getByLabel("6-digit code").fill(code);
  await own.getByRole("button", { name: "Confirm code" }).click();
  await expect(own.getByRole("article", { name: "Agreement text" })).toContainText("Contoso Freight AB");

  const [cookie] = (await ownContext.cookies()).filter((c) => c.name.endsWith("clearance-partner-signer"));
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax", path: signingPath });
  expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);

  // Someone else opens the same link: back to the code step, no text, no consent, no decline.
  const otherContext = await browser.newContext();
  const other = await otherContext.newPage();
  await other.goto(signingPath);
  await expect(other.getByRole("heading", { name: "Confirm your email address" })).toBeVisible();
  await expect(other.getByRole("button", { name: "Confirm code" })).toBeVisible();
  await expect(other.getByRole("article", { name: "Agreement text" })).toHaveCount(0);
  await expect(other.getByRole("button", { name: "Continue to signing" })).toHaveCount(0);
  await expect(other.getByText("I do not want to sign")).toHaveCount(0);
  // The code that confirmed the contact's browser is spent.
  await other.getByLabel("6-digit code").fill(code);
  await other.getByRole("button", { name: "Confirm code" }).click();
  await expect(other.getByText("That code is no longer valid")).toBeVisible();
  await expect(other.getByRole("button", { name: "Continue to signing" })).toHaveCount(0);
  expect((await otherContext.cookies()).filter((c) => c.name.endsWith("clearance-partner-signer"))).toHaveLength(0);

  // The contact's browser is unaffected and signs.
  await own.reload();
  await giveEsignConsent(own);
  await own.getByLabel("Type your full name").fill("Lena Berg");
  await own.getByRole("button", { name: "Sign the agreement" }).click();
  await expect(own.getByRole("heading", { level: 1 })).toHaveText(/^Signed: /);
  await expect(own.getByRole("link", { name: "Download the signed agreement (PDF)" })).toBeVisible();
  // The other browser, never confirmed, gets no copy.
  expect((await other.goto(`${signingPath}/document`))?.status()).toBe(404);
  await ownContext.close();
  await otherContext.close();
});
