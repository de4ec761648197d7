import { expect, test, type Browser } from "@playwright/test";

import { alertOf, DEMO_PASSWORD, email, expectNoAxeViolations, signIn, signInWithMfa } from "./helpers";

/** The newest reset link in the outbox for `key`, read as a compliance admin would. */
async function resetLinkFor(browser: Browser, key: string): Promise<string> {
  const context = await browser.newContext();
  const admin = await context.newPage();
  await signInWithMfa(admin, "carmen.diaz");
  let link: string | undefined;
  // The email is queued after the answer has left: poll the outbox briefly.
  await expect(async () => {
    await admin.goto("/admin/outbox");
    await admin
      .locator("tr", { hasText: email(key) })
      .getByRole("link", { name: /Reset your Clearance password/ })
      .first()
      .click();
    const text = await admin.getByTestId("email-text").innerText();
    link = /\/set-password\/[A-Za-z0-9_-]{20,}/.exec(text)?.[0];
    expect(link).toBeTruthy();
  }).toPass({ timeout: 20_000 });
  await context.close();
  return link!;
}

test("forgot password: the same answer for any address, a single-use link, and every old session ends", async ({
  browser,
}) => {
  const NEW_PASSWORD = "copper kettle under the stairs";
  // Aisha is signed in on another device; that session must end with the reset.
  const oldDevice = await browser.newContext();
  const old = await oldDevice.newPage();
  await signIn(old, "aisha.bello");
  await expect(old).toHaveURL(/\/dashboard/);

  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto("/signin");
  await page.getByRole("link", { name: "Forgot password?" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Forgot your password?" })).toBeVisible();
  await expectNoAxeViolations(page);
  await page.getByLabel("Email").fill("nobody-at-all@brightline.example");
  await page.getByRole("button", { name: "Send me a link" }).click();
  const answer = await page.getByRole("status").innerText();
  expect(answer).toContain("If an account uses that address");

  await page.goto("/forgot-password");
  await page.getByLabel("Email").fill(email("aisha.bello"));
  await page.getByRole("button", { name: "Send me a link" }).click();
  expect(await page.getByRole("status").innerText()).toBe(answer);

  const link = await resetLinkFor(browser, "aisha.bello");
  await page.goto(link);
  await expect(page.getByRole("heading", { level: 1, name: "Choose a new password" })).toBeVisible();
  await expectNoAxeViolations(page);
  await page.getByLabel("New password").fill("password12345678");
  await page.getByLabel("Type it again").fill("password12345678");
  await page.getByRole("button", { name: "Set password" }).click();
  await expect(page.getByText("on a list of passwords that attackers try first")).toBeVisible();
  await page.getByLabel("New password").fill("short but nice");
  await page.getByLabel("Type it again").fill("short but nice");
  await page.getByRole("button", { name: "Set password" }).click();
  await expect(page.getByText("Use at least 15 characters.")).toBeVisible();
  await page.getByLabel("New password").fill(NEW_PASSWORD);
  await page.getByLabel("Type it again").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Set password" }).click();
  await expect(page.getByText(`Your password is set. Sign in with ${email("aisha.bello")}`)).toBeVisible();

  // The old device is signed out; the link worked once; the old password is gone.
  await old.goto("/dashboard");
  await expect(old).toHaveURL(/\/signin/);
  await page.goto(link);
  await expect(page.getByRole("heading", { level: 1, name: "This link has already been used" })).toBeVisible();
  await signIn(page, "aisha.bello", DEMO_PASSWORD);
  await expect(alertOf(page)).toContainText("Email or password is incorrect.");
  await signIn(page, "aisha.bello", NEW_PASSWORD);
  await expect(page).toHaveURL(/\/dashboard/);
  await oldDevice.close();
  await context.close();
});

test("change password on /account: the current password is needed, and other devices are signed out", async ({
  browser,
}) => {
  const NEW_PASSWORD = "seven tall ferns by the gate";
  const otherDevice = await browser.newContext();
  const other = await otherDevice.newPage();
  await signIn(other, "victor.lund");
  await expect(other).toHaveURL(/\/dashboard/);

  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, "victor.lund");
  await expect(page).toHaveURL(/\/dashboard/);
  await page.goto("/account");
  const card = page
    .getByRole("region", { name: "Change password" })
    .or(page.locator("section", { hasText: "Change password" }).last());
  await card.getByLabel("Current password").fill("not my password at all");
  await card.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
  await card.getByLabel("Type the new password again").fill(NEW_PASSWORD);
  await card.getByRole("button", { name: "Change password" }).click();
  await expect(card.getByText("Your current password is not right.")).toBeVisible();
  await expect(card.getByLabel("Current password")).toHaveAttribute("aria-invalid", "true");

  await card.getByLabel("Current password").fill(DEMO_PASSWORD);
  await card.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
  await card.getByLabel("Type the new password again").fill(NEW_PASSWORD);
  await card.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("Your password is changed.")).toBeVisible();
  await expectNoAxeViolations(page);

  // This browser stays signed in; the other one is signed out.
  await page.goto("/account");
  await expect(page).toHaveURL(/\/account/);
  await other.goto("/dashboard");
  await expect(other).toHaveURL(/\/signin/);
  await signIn(other, "victor.lund", NEW_PASSWORD);
  await expect(other).toHaveURL(/\/dashboard/);
  await otherDevice.close();
  await context.close();
});
