import { expect, test, type Browser, type Page } from "@playwright/test";

import { email, expectNoAxeViolations, signIn, signInWithMfa, signOut } from "./helpers";

/**
 * Sessions as an attacker would try them: a session cookie copied into another
 * browser, kept after sign-out, and kept across a suspension that is undone.
 */

async function signedIn(browser: Browser, key: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, key);
  await expect(page).toHaveURL(/\/dashboard/);
  return page;
}

/** A second browser holding a copy of the first one's cookies. */
async function copyOf(browser: Browser, page: Page): Promise<Page> {
  const context = await browser.newContext();
  await context.addCookies(await page.context().cookies());
  return context.newPage();
}

test("a cookie copied before sign-out stops working when its owner signs out", async ({ browser }) => {
  const owner = await signedIn(browser, "omar.farouk");
  const thief = await copyOf(browser, owner);
  await thief.goto("/dashboard");
  await expect(thief).toHaveURL(/\/dashboard/);

  await signOut(owner);
  await thief.goto("/dashboard");
  await expect(thief).toHaveURL(/\/signin/);
});

test("a person sees where they are signed in and signs out another browser, then everywhere", async ({ browser }) => {
  const laptop = await signedIn(browser, "samuel.adeyemi");
  const phone = await signedIn(browser, "samuel.adeyemi");

  await laptop.goto("/account");
  const list = laptop.getByRole("list", { name: "Signed-in sessions" });
  await expect(list.getByRole("listitem")).toHaveCount(2);
  await expect(list.getByText("This browser")).toHaveCount(1);
  await expectNoAxeViolations(laptop);

  await list.getByRole("button", { name: /^Sign out / }).click();
  await expect(laptop.getByText("That session is signed out.")).toBeVisible();
  await expect(list.getByRole("listitem")).toHaveCount(1);
  await phone.goto("/dashboard");
  await expect(phone).toHaveURL(/\/signin/);

  const copy = await copyOf(browser, laptop);
  await laptop.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(laptop).toHaveURL(/\/signin/);
  await copy.goto("/account");
  await expect(copy).toHaveURL(/\/signin/);
});

test("suspending and reactivating a person does not bring their old session back", async ({ browser }) => {
  const person = await signedIn(browser, "laura.schmidt");
  const copy = await copyOf(browser, person);

  const admin = await (await browser.newContext()).newPage();
  await signInWithMfa(admin, "carmen.diaz");
  await admin.goto("/admin/people?q=laura");
  const row = admin.locator(`tr[data-email="${email("laura.schmidt")}"]`);
  for (const status of ["suspended", "active"]) {
    await row.getByLabel("Status of Laura Schmidt").selectOption(status);
    await row.getByRole("button", { name: "Set status" }).click();
    await expect(row.getByText(status, { exact: true })).toBeVisible();
  }

  for (const page of [person, copy]) {
    await page.goto("/dashboard");
    await expect(page).toHaveURL(/\/signin/);
  }
  // Signing in again works: the person is active.
  await signIn(person, "laura.schmidt");
  await expect(person).toHaveURL(/\/dashboard/);
});
