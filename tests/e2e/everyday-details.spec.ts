import { expect, test, type Page } from "@playwright/test";

import { signIn, signInWithMfa } from "./helpers";

/** Links and buttons whose accessible name does not contain their visible text (WCAG 2.5.3, label in name). */
async function labelNotInName(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>("a[aria-label], button[aria-label]"))
      .filter((el) => el.offsetParent !== null)
      .filter((el) => {
        const visible = el.innerText.replace(/\s+/g, " ").trim().toLowerCase();
        return visible && !el.getAttribute("aria-label")!.toLowerCase().includes(visible);
      })
      .map((el) => `${el.getAttribute("aria-label")} ≠ ${el.innerText}`),
  );
}

test("the first visit loads no missing file; the footer and the page agree on 'Verify a document'", async ({
  page,
}) => {
  const missing: string[] = [];
  page.on("response", (r) => {
    if (r.status() === 404) missing.push(r.url());
  });
  await page.goto("/");
  await page.waitForLoadState("networkidle");
  expect(missing).toEqual([]);
  expect((await page.request.get("/favicon.ico")).status()).toBe(200);

  await page.getByRole("contentinfo").getByRole("link", { name: "Verify a document" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Verify a document");
  await expect(page.getByRole("contentinfo").getByRole("link", { name: "Sign in" })).toBeVisible();
});

test("signed in: no 'Sign in' in the footer, and every labelled link names what it shows", async ({ page }) => {
  await signIn(page, "ravi.patel");
  await expect(page).toHaveURL(/\/dashboard/);
  await expect(page.getByRole("contentinfo").getByRole("link", { name: "Verify a document" })).toBeVisible();
  await expect(page.getByRole("contentinfo").getByRole("link", { name: "Sign in" })).toHaveCount(0);
  for (const path of ["/dashboard", "/agreements", "/access", "/courses", "/account"]) {
    await page.goto(path);
    expect(await labelNotInName(page), path).toEqual([]);
  }
});

test("the approvals date picker shows the chosen end date in the app's own format", async ({ page, browser }) => {
  const employee = await (await browser.newContext()).newPage();
  await signIn(employee, "fatima.zahra");
  await expect(employee).toHaveURL(/\/dashboard/);
  await employee.goto("/access");
  const card = employee.locator('li[data-role="customer-data-export"]');
  await card.getByText("Request access").click();
  await card.getByLabel(/Why do you need/).fill("I answer data-subject access requests for EMEA customers.");
  await card.getByRole("button", { name: "Send request" }).click();
  await expect(card.getByText(/waiting for approval/)).toBeVisible();

  await signInWithMfa(page, "carmen.diaz");
  await page.goto("/access/approvals");
  const request = page.locator("li", { hasText: "Fatima Zahra" }).filter({ hasText: "Export customer data" });
  const picker = request.getByLabel("Ends on");
  await picker.fill("2027-01-05");
  await expect(request.getByText("Ends 5 Jan 2027")).toBeVisible();
  expect(await labelNotInName(page)).toEqual([]);
});
