import { expect, test, type Page } from "@playwright/test";

import { IDP_CLIENT_ID, IDP_CLIENT_SECRET, IDP_PASSWORD } from "../helpers/oidc-idp";
import { expectNoAxeViolations, signInWithMfa, signOut } from "./helpers";

/**
 * Single sign-on with OpenID Connect, clicked through in a browser against a
 * real provider (tests/helpers/e2e-identity-provider.ts): a compliance admin
 * configures and tests it, an employee signs in with its button on its own
 * login page, and a manager whose provider reports MFA is let in without
 * Clearance's code.
 */

test.describe.configure({ mode: "serial" });

const issuer = () => process.env.E2E_IDP_ISSUER!;

async function signInAtProvider(page: Page, username: string) {
  await page.goto("/signin");
  await page.getByRole("link", { name: "Sign in with Test IdP" }).click();
  await expect(page.getByRole("heading", { name: "Sign in to the test identity provider" })).toBeVisible();
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(IDP_PASSWORD);
  await page.getByRole("button", { name: "Continue" }).click();
}

test("a compliance admin adds an OIDC provider, tests it and enables it", async ({ page }) => {
  await signInWithMfa(page, "carmen.diaz");
  await page.goto("/admin/identity");
  await expect(page.getByRole("heading", { level: 1, name: "Sign-in and identity providers" })).toBeVisible();
  await expectNoAxeViolations(page);

  const add = page.getByRole("form", { name: "Add a provider" });
  await add.getByLabel("Name on the sign-in button").fill("Test IdP");
  await add.getByLabel("URL name").fill("Test IdP");
  await add.getByLabel("Issuer URL").fill(issuer());
  await add.getByLabel("Client ID").fill(IDP_CLIENT_ID);
  await add.getByLabel("Client secret").fill(IDP_CLIENT_SECRET);
  await add.getByLabel("Allowed email domains").fill("brightline.example");
  await add.getByRole("button", { name: "Add provider" }).click();
  // A URL name with a space is refused beside its field.
  await expect(add.getByText("Use lower-case letters, digits and hyphens")).toBeVisible();
  await add.getByLabel("URL name").fill("test-idp");
  await add.getByLabel("Client secret").fill(IDP_CLIENT_SECRET);
  await add.getByLabel(/Accept this provider.s MFA/).check();
  await add.getByRole("button", { name: "Add provider" }).click();
  await expect(page.getByRole("heading", { level: 3, name: "Test IdP" })).toBeVisible();

  await expect(page.getByTestId("redirect-uri-test-idp")).toHaveText(
    /^http:\/\/localhost:\d+\/api\/sso\/oidc\/test-idp\/callback$/,
  );
  await page.getByRole("button", { name: "Test configuration of Test IdP" }).click();
  await expect(page.getByText(`Discovery succeeded: issuer ${issuer()}`)).toBeVisible();
  await page.getByRole("button", { name: "Enable Test IdP" }).click();
  await expect(page.getByRole("button", { name: "Disable Test IdP" })).toBeVisible();
  // The secret never comes back to the page.
  expect(await page.content()).not.toContain(IDP_CLIENT_SECRET);
  await expectNoAxeViolations(page);
  await signOut(page);
});

test("an employee signs in with the SSO button at the provider's own login page", async ({ page }) => {
  await signInAtProvider(page, "idp-ana");
  await expect(page).toHaveURL(/\/dashboard/);
  await expect(page.getByRole("button", { name: "Sign out", exact: true })).toBeVisible();
  // The account page says how this session began.
  await page.goto("/account");
  await expect(
    page.getByRole("list", { name: "Signed-in sessions" }).getByText("Single sign-on through Test IdP"),
  ).toBeVisible();
  await signOut(page);
});

test("a manager whose provider reports MFA is let in without Clearance's own code", async ({ page }) => {
  await signInAtProvider(page, "idp-priya");
  await expect(page).toHaveURL(/\/dashboard/);
  await page.goto("/account");
  await expect(page.getByText("Single sign-on through Test IdP, with the provider's two-step check")).toBeVisible();
  await page.goto("/team");
  await expect(page).toHaveURL(/\/team/);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await signOut(page);
});

test("the sign-in page says why a single sign-on was refused", async ({ page }) => {
  await page.goto("/signin?sso_error=domain_not_allowed");
  await expect(page.getByRole("alert").filter({ hasText: "domain may not sign in" })).toBeVisible();
  await expectNoAxeViolations(page);
});
