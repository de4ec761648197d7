import { readFileSync } from "node:fs";

import { expect, test, type Page } from "@playwright/test";

import { alertOf, email, enrolMfa, expectNoAxeViolations, nextCode, signIn, signInWithMfa, signOut } from "./helpers";

test("the public landing page says what Clearance is and sets no cookie", async ({ page, context }) => {
  const response = await page.goto("/");
  expect(response?.status()).toBe(200);
  expect(await response?.headerValue("set-cookie")).toBeNull();
  expect(await response?.headerValue("content-security-policy")).toContain("frame-ancestors 'none'");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Only trained");
  expect(await context.cookies()).toEqual([]);
  await expectNoAxeViolations(page);
});

test("an employee signs in, sees the dashboard, and signs out", async ({ page, context }) => {
  await signIn(page, "ana.silva");
  await expect(page).toHaveURL(/\/dashboard/);
  // Over plain HTTP (this test server) the cookie cannot be Secure; over HTTPS it is, with the __Secure- prefix.
  const session = (await context.cookies()).find((c) => c.name.endsWith("next-auth.session-token"));
  expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
  await expect(page.getByRole("heading", { name: "Welcome, Ana" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link")).toHaveText([
    "Dashboard",
    "Courses",
    "Agreements",
    "Access",
    "Account",
  ]);
  await expectNoAxeViolations(page);
  await signOut(page);
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/signin/);
});

test("a wrong password gets a clear message", async ({ page }) => {
  await signIn(page, "emma.larsen", "not-the-password");
  await expect(alertOf(page)).toHaveText("Email or password is incorrect.");
  await expectNoAxeViolations(page);
});

test("repeated failures lock the account, even for the right password", async ({ page }) => {
  for (let i = 0; i < 5; i++) {
    await signIn(page, "diego.ramos", `wrong-${i}`);
    await expect(alertOf(page)).toHaveText("Email or password is incorrect.");
  }
  await signIn(page, "diego.ramos");
  await expect(alertOf(page)).toContainText("Too many failed attempts");
  await expect(alertOf(page)).toContainText("15 minutes");
});

test("an employee gets a 403 page on an admin page", async ({ page }) => {
  await signIn(page, "noah.kim");
  await expect(page).toHaveURL(/\/dashboard/);
  const response = await page.goto("/admin/people");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "You don't have access to this page" })).toBeVisible();
  const audit = await page.goto("/audit");
  expect(audit?.status()).toBe(403);
});

const sessionCookieOf = async (page: Page) =>
  (await page.context().cookies()).find((c) => c.name.endsWith("next-auth.session-token"));

test("a manager must enrol MFA, then signs in with a TOTP code; a recovery code works once", async ({
  page,
  browser,
}) => {
  await signIn(page, "tom.becker");
  await expect(page).toHaveURL(/\/account\/mfa/);
  await expect(page.getByText("two-factor authentication is required")).toBeVisible();
  // Other pages send them back to enrolment until it is done.
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/account\/mfa/);
  await expectNoAxeViolations(page);
  const before = await sessionCookieOf(page);
  const { secret, recoveryCodes } = await enrolMfa(page);
  expect(recoveryCodes).toHaveLength(10);
  // The codes can be kept as a file, or printed, from the page that shows them once.
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download as a text file" }).click();
  const saved = await download;
  expect(saved.suggestedFilename()).toBe("clearance-recovery-codes.txt");
  const text = readFileSync((await saved.path())!, "utf8");
  for (const code of recoveryCodes) expect(text).toContain(code);
  await expect(page.getByRole("button", { name: "Print" })).toBeVisible();
  await page.getByRole("link", { name: /continue/ }).click();
  await expect(page).toHaveURL(/\/dashboard/);
  // Enrolment replaced the session: the cookie from before it no longer signs anyone in.
  const after = await sessionCookieOf(page);
  expect(after?.value).toBeTruthy();
  expect(after?.value).not.toBe(before?.value);
  const stale = await browser.newContext();
  await stale.addCookies([before!]);
  const stalePage = await stale.newPage();
  await stalePage.goto("/dashboard");
  await expect(stalePage).toHaveURL(/\/signin/);
  await stale.close();
  await signOut(page);

  await signIn(page, "tom.becker");
  await expect(page.getByLabel("Authentication code")).toBeVisible();
  await page.getByLabel("Authentication code").fill("000000");
  await page.getByRole("button", { name: "Verify and sign in" }).click();
  await expect(alertOf(page)).toContainText("That code is not right");
  await page.getByLabel("Authentication code").fill(nextCode(secret));
  await page.getByRole("button", { name: "Verify and sign in" }).click();
  await expect(page).toHaveURL(/\/dashboard/);
  await signOut(page);

  for (const attempt of ["first", "second"]) {
    await signIn(page, "tom.becker");
    await page.getByLabel("Authentication code").fill(recoveryCodes[0]);
    await page.getByRole("button", { name: "Verify and sign in" }).click();
    if (attempt === "first") {
      await expect(page).toHaveURL(/\/dashboard/);
      await signOut(page);
    } else {
      await expect(alertOf(page)).toContainText("That code is not right");
    }
  }
});

test("a suspended person is signed out at their next request, and the change is audited", async ({ browser }) => {
  const employee = await (await browser.newContext()).newPage();
  await signIn(employee, "sofia.rossi");
  await expect(employee).toHaveURL(/\/dashboard/);

  const admin = await (await browser.newContext()).newPage();
  await signInWithMfa(admin, "carmen.diaz");
  await admin.goto("/admin/people?q=sofia");
  await expectNoAxeViolations(admin);
  const row = admin.locator(`tr[data-email="${email("sofia.rossi")}"]`);
  await row.getByLabel("Status of Sofia Rossi").selectOption("suspended");
  await row.getByRole("button", { name: "Set status" }).click();
  await expect(row.getByText("suspended", { exact: true })).toBeVisible();

  await employee.reload();
  await expect(employee).toHaveURL(/\/signin/);

  await admin.goto("/audit?action=person.");
  await expect(admin.getByRole("cell", { name: "person.status_changed" }).first()).toBeVisible();
  await admin.getByRole("link", { name: "Verify from the first event" }).click();
  await expect(admin.getByText(/Intact: all [\d,]+ events? verified/)).toBeVisible();
  await expectNoAxeViolations(admin);
});

test("a change of roles ends the person's session; signing in again brings the new role's rules", async ({
  browser,
}) => {
  const person = await (await browser.newContext()).newPage();
  await signIn(person, "kofi.mensah");
  await expect(person).toHaveURL(/\/dashboard/);

  const admin = await (await browser.newContext()).newPage();
  await signInWithMfa(admin, "carmen.diaz");
  await admin.goto("/admin/people?q=kofi");
  const row = admin.locator(`tr[data-email="${email("kofi.mensah")}"]`);
  await row.getByRole("group", { name: "Roles of Kofi Mensah" }).getByLabel("Manager").check();
  await row.getByRole("button", { name: "Save roles" }).click();
  await expect(row.getByRole("button", { name: "Save roles" })).toBeEnabled();
  await admin.reload();
  await expect(
    admin
      .locator(`tr[data-email="${email("kofi.mensah")}"]`)
      .getByRole("group", { name: "Roles of Kofi Mensah" })
      .getByLabel("Manager"),
  ).toBeChecked();

  await person.reload();
  await expect(person).toHaveURL(/\/signin/);
  // A manager must use MFA: the new session starts at enrolment.
  await signIn(person, "kofi.mensah");
  await expect(person).toHaveURL(/\/account\/mfa/);
});
