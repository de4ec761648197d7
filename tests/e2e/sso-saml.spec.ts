import { expect, test, type Page } from "@playwright/test";

import { expectNoAxeViolations, signInWithMfa, signOut } from "./helpers";

/**
 * Single sign-on with SAML 2.0, clicked through in a browser against a real
 * identity provider (samlify, tests/helpers/e2e-identity-provider.ts): a
 * compliance admin pastes the IdP's metadata, copies the SP values, tests and
 * enables the provider; an employee signs in with its button at the IdP's own
 * login page, whose signed response the browser posts to the ACS; someone
 * without an account is sent back with the reason.
 */

test.describe.configure({ mode: "serial" });

async function signInAtSamlIdp(page: Page, username: string) {
  await page.goto("/signin");
  await page.getByRole("link", { name: "Sign in with Test SAML" }).click();
  await expect(page.getByRole("heading", { name: "Sign in to the test SAML identity provider" })).toBeVisible();
  await page.getByLabel("Username").fill(username);
  await page.getByRole("button", { name: "Continue" }).click();
}

test("a compliance admin adds a SAML provider from its metadata, tests it and enables it", async ({ page }) => {
  // Signing in with MFA and three accessibility scans of a long page take longer than one minute here.
  test.setTimeout(150_000);
  const metadata = await (await fetch(process.env.E2E_SAML_IDP_METADATA_URL!)).text();
  await signInWithMfa(page, "carmen.diaz");
  await page.goto("/admin/identity");
  await expect(page.getByRole("heading", { level: 1, name: "Sign-in and identity providers" })).toBeVisible();

  const add = page.getByRole("form", { name: "Add a SAML provider" });
  await add.getByLabel("Name on the sign-in button").fill("Test SAML");
  await add.getByLabel("URL name").fill("test-saml");
  await add.getByLabel("Allowed email domains").fill("brightline.example");
  // Not metadata: refused beside the field.
  await add.getByLabel("Identity provider metadata (XML)").fill("<EntityDescriptor");
  await add.getByRole("button", { name: "Add provider" }).click();
  await expect(add.getByText("This is not well-formed XML.")).toBeVisible();
  await expectNoAxeViolations(page);
  await add.getByLabel("Identity provider metadata (XML)").fill(metadata);
  await add.getByRole("button", { name: "Add provider" }).click();
  await expect(page.getByRole("heading", { level: 3, name: "Test SAML" })).toBeVisible();

  // The values the IdP's admin needs, each with a copy button.
  await expect(page.getByTestId("acs-url-test-saml")).toHaveText(
    /^http:\/\/localhost:\d+\/api\/sso\/saml\/test-saml\/acs$/,
  );
  await expect(page.getByTestId("sp-entity-id-test-saml")).toHaveText(/\/api\/sso\/saml\/test-saml\/metadata$/);
  await expect(page.getByTestId("metadata-url-test-saml")).toHaveText(/\/api\/sso\/saml\/test-saml\/metadata$/);
  await expect(page.getByRole("button", { name: /Copy the ACS URL \(HTTP-POST\) of Test SAML/ })).toBeVisible();
  const metadataUrl = (await page.getByTestId("metadata-url-test-saml").textContent())!;
  const sp = await page.request.get(metadataUrl);
  expect(sp.headers()["content-type"]).toMatch(/^application\/samlmetadata\+xml/);

  await page.getByRole("button", { name: "Test configuration of Test SAML" }).click();
  await expect(page.getByText(/The signing certificate is valid until/)).toBeVisible();
  await page.getByRole("button", { name: "Enable Test SAML" }).click();
  await expect(page.getByRole("button", { name: "Disable Test SAML" })).toBeVisible();
  await expectNoAxeViolations(page);
  await signOut(page);
});

test("an employee signs in with the SAML button at the identity provider's login page", async ({ page }) => {
  await signInAtSamlIdp(page, "li.hua");
  await expect(page).toHaveURL(/\/dashboard/);
  await expect(page.getByRole("button", { name: "Sign out", exact: true })).toBeVisible();
  await expectNoAxeViolations(page);
  await signOut(page);
});

test("someone the identity provider knows but Clearance does not is sent back with the reason", async ({ page }) => {
  await signInAtSamlIdp(page, "stranger");
  await expect(page).toHaveURL(/\/signin\?.*sso_error=no_account/);
  await expect(page.getByRole("alert").filter({ hasText: "There is no Clearance account" })).toBeVisible();
  await expectNoAxeViolations(page);
});

test("the sign-in page names what was wrong with a refused SAML response", async ({ page }) => {
  await page.goto("/signin?sso_error=invalid_response&sso_detail=wrong_audience");
  await expect(
    page.getByRole("alert").filter({ hasText: "The answer is meant for another application." }),
  ).toBeVisible();
  await expectNoAxeViolations(page);
});
