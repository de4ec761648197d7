import { expect, test } from "@playwright/test";

import { completeCourse, expectNoAxeViolations, giveEsignConsent, signIn, signInWithMfa } from "./helpers";

const ROLE = "customer-pii-read";

test("an employee requests customer-pii-read, clears what blocks it, a manager approves, and the role is held", async ({
  page,
  browser,
}) => {
  test.setTimeout(240_000);
  await signIn(page, "fatima.zahra");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Access" }).click();
  await expectNoAxeViolations(page);
  const card = page.locator(`li[data-role="${ROLE}"]`);
  await expect(card.getByText("Not requested")).toBeVisible();
  await expect(card.getByRole("link", { name: /Complete the course “Data-protection law essentials/ })).toBeVisible();
  await expect(card.getByRole("link", { name: /Sign the “Employee Confidentiality Agreement”/ })).toBeVisible();
  // Compact: every role is a short row (state, what it needs, one action) until its request form is opened.
  await page.setViewportSize({ width: 1280, height: 800 });
  expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThan(2000);
  await expect(page.getByText(/will be blocked until you/)).toHaveCount(0);

  await card.getByText("Request access").click();
  await expect(
    card.getByText("You can request it now; it takes effect once what is needed first is done."),
  ).toBeVisible();
  await card
    .getByLabel("Why do you need the “Read customer personal data” role?")
    .fill("I handle EMEA support tickets and need to see customer contact details.");
  await expectNoAxeViolations(page);
  await card.getByRole("button", { name: "Send request" }).click();
  // The page re-renders with the request pending.
  await expect(card.getByText("Requested", { exact: true })).toBeVisible();
  await expect(card.getByText(/waiting for approval/)).toBeVisible();

  for (const courseId of ["data-protection-law", "support-data-handling", "confidentiality-acceptable-use"])
    await completeCourse(page, courseId);

  await page.goto("/agreements/employee-nda");
  await giveEsignConsent(page);
  await page.getByLabel("Your password").fill("Clearance-demo-2026");
  await page.getByLabel("Type your full legal name").fill("Fatima Zahra");
  await page.getByRole("button", { name: "Sign the agreement" }).click();
  await expect(page).toHaveURL(/\/agreements\?signed=/);

  await page.goto("/access");
  await expect(card.getByText("Requested", { exact: true })).toBeVisible();
  await expect(card.getByText("Needed first:")).toHaveCount(0);

  const manager = await (await browser.newContext()).newPage();
  await signInWithMfa(manager, "marcus.webb");
  await manager.goto("/access/approvals");
  await expectNoAxeViolations(manager);
  const request = manager.locator("li", { hasText: "Fatima Zahra" }).filter({ hasText: "Read customer personal data" });
  await expect(request.getByText("Requirements met")).toBeVisible();
  await request.getByLabel(/Comment/).fill("Approved for EMEA queue work.");
  await request.getByRole("button", { name: "Approve" }).click();
  // The request leaves the pending list and appears among approved grants.
  await expect(request).toHaveCount(0);
  await expect(manager.getByRole("row", { name: /Fatima Zahra.*Read customer personal data/ })).toBeVisible();

  await page.goto("/access");
  await expect(card.getByText("Held", { exact: true })).toBeVisible();
  await expect(card.getByText(/You hold this role until/)).toBeVisible();
});
