import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";
import { stepAt, totpAt } from "../../lib/crypto/totp";

export const DEMO_PASSWORD = "Clearance-demo-2026";
export const email = (key: string) => `${key}@brightline.example`;

export async function signIn(page: Page, key: string, password = DEMO_PASSWORD) {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(email(key));
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByText("You have signed out.")).toBeVisible();
}

/** A code for the next 30-second step: inside the ±1 tolerance, and never a replay of the last one used. */
export function nextCode(secret: string, offset = 1): string {
  return totpAt(secret, stepAt(new Date()) + offset);
}

/** Enrols MFA on the page the person was sent to; returns the secret and the recovery codes. */
export async function enrolMfa(page: Page): Promise<{ secret: string; recoveryCodes: string[] }> {
  await expect(page).toHaveURL(/\/account\/mfa/);
  const secret = (await page.getByTestId("mfa-secret").getAttribute("data-secret"))!;
  await page.getByLabel("6-digit code from your app").fill(totpAt(secret, stepAt(new Date())));
  await page.getByRole("button", { name: "Turn on two-factor authentication" }).click();
  await expect(page.getByText("Two-factor authentication is on.")).toBeVisible();
  const recoveryCodes = await page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem").allInnerTexts();
  return { secret, recoveryCodes };
}

export async function expectNoAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}

/** The page's own alert, not Next's empty route announcer (which also has role=alert). */
export function alertOf(page: Page) {
  return page.locator('[role="alert"]:not(#__next-route-announcer__)');
}
