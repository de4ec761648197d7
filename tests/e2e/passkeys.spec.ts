import { createHash, createPrivateKey, sign } from "node:crypto";

import { expect, test, type BrowserContext, type Page } from "@playwright/test";

import { alertOf, DEMO_PASSWORD, email, expectNoAxeViolations, signIn, signOut } from "./helpers";

/** Chromium's virtual authenticator (Chrome DevTools Protocol): a passkey device that unlocks without a person. */
async function virtualAuthenticator(context: BrowserContext, page: Page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

const NEW_PASSWORD = "lanterns over the quiet harbour";

async function addPasskey(page: Page, name: string) {
  await page.goto("/account");
  await page.getByLabel("Name for a new passkey").fill(name);
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.getByText(`Passkey “${name}” added.`)).toBeVisible();
  await expect(page.getByRole("list", { name: "Your passkeys" }).getByText(name, { exact: true })).toBeVisible();
}

test("register a passkey, sign in with it alone and as the second factor, rename and remove it", async ({
  browser,
}) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const laptop = await virtualAuthenticator(context, page);
  await signIn(page, "zara.ahmed");
  await expect(page).toHaveURL(/\/dashboard/);
  await addPasskey(page, "Work laptop");
  await expectNoAxeViolations(page);

  // A second passkey on another device (one device holds one passkey per account), then a new name for the first.
  await laptop.cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId: laptop.authenticatorId });
  await virtualAuthenticator(context, page);
  await addPasskey(page, "Spare key");
  const first = page.locator('li[data-passkey="Work laptop"]');
  await first.getByLabel("New name for Work laptop").fill("Office laptop");
  await first.getByRole("button", { name: "Rename" }).click();
  await expect(
    page.getByRole("list", { name: "Your passkeys" }).getByText("Office laptop", { exact: true }),
  ).toBeVisible();

  // Passwordless.
  await signOut(page);
  await page.getByRole("button", { name: "Use a passkey instead of a password" }).click();
  await expect(page).toHaveURL(/\/dashboard/);

  // The password alone is no longer enough: the passkey is the second factor.
  await signOut(page);
  await signIn(page, "zara.ahmed");
  await expect(page.getByText("Your account uses a passkey as its second factor.")).toBeVisible();
  await page.getByRole("button", { name: "Use your passkey" }).click();
  await expect(page).toHaveURL(/\/dashboard/);

  // Changing the password asks for the passkey, since it is the person's second factor.
  await page.goto("/account");
  await expect(page.getByText("One of your passkeys is required at sign-in.")).toBeVisible();
  await page.getByLabel("Current password").fill(DEMO_PASSWORD);
  await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel("Type the new password again").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Confirm with passkey and change password" }).click();
  await expect(page.getByText("Your password is changed.")).toBeVisible();

  // Removing both turns two-factor authentication off; the device's copy no longer signs in.
  await page.goto("/account");
  await page.getByRole("button", { name: "Remove Spare key" }).click();
  await expect(page.getByText("Passkey removed.", { exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Remove Office laptop" }).click();
  await expect(page.getByText("Passkey removed. Two-factor authentication is now off.")).toBeVisible();
  await page.goto("/account");
  await expect(page.getByText("You have no passkeys yet.")).toBeVisible();
  await signOut(page);
  await page.getByRole("button", { name: "Use a passkey instead of a password" }).click();
  await expect(alertOf(page)).toContainText("That passkey was not accepted.");
  await signIn(page, "zara.ahmed", NEW_PASSWORD);
  await expect(page).toHaveURL(/\/dashboard/);
  await context.close();
});

test("an assertion made for another origin is refused, even signed by the right passkey", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const { cdp, authenticatorId } = await virtualAuthenticator(context, page);
  await signIn(page, "lucas.moreau");
  await expect(page).toHaveURL(/\/dashboard/);
  await addPasskey(page, "Phone");
  await signOut(page);

  // A phishing page relays our challenge and gets it signed with the person's key, but the browser writes its own origin.
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  const key = createPrivateKey({ key: Buffer.from(credentials[0].privateKey, "base64"), format: "der", type: "pkcs8" });
  await page.route("**/api/auth/callback/passkey", async (route) => {
    const body = new URLSearchParams(route.request().postData() ?? "");
    const answer = JSON.parse(body.get("passkey")!);
    const client = JSON.parse(Buffer.from(answer.response.clientDataJSON, "base64url").toString("utf8"));
    const clientDataJSON = Buffer.from(
      JSON.stringify({
        type: "webauthn.get",
        challenge: client.challenge,
        origin: "https://clearance-login.example",
        crossOrigin: false,
      }),
    );
    const authData = Buffer.from(answer.response.authenticatorData, "base64url");
    const signed = Buffer.concat([authData, createHash("sha256").update(clientDataJSON).digest()]);
    const signature = sign(key.asymmetricKeyType === "ed25519" ? null : "sha256", signed, key);
    answer.response.clientDataJSON = clientDataJSON.toString("base64url");
    answer.response.signature = signature.toString("base64url");
    body.set("passkey", JSON.stringify(answer));
    await route.continue({ postData: body.toString() });
  });
  await page.getByRole("button", { name: "Use a passkey instead of a password" }).click();
  await expect(alertOf(page)).toContainText("That passkey was not accepted.");

  // The same passkey, answering for this site, is accepted.
  await page.unroute("**/api/auth/callback/passkey");
  await page.getByRole("button", { name: "Use a passkey instead of a password" }).click();
  await expect(page).toHaveURL(/\/dashboard/);
  await expect(page.getByText(email("lucas.moreau")).or(page.getByText("Lucas Moreau")).first()).toBeVisible();
  await context.close();
});
