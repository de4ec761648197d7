import { expect, test } from "@playwright/test";

import { DEMO_PASSWORD, expectNoAxeViolations, giveEsignConsent, shoot, signIn, signInWithMfa } from "./helpers";

// People no other spec uses: Yuki asks for a role, Hannah (her manager) decides it; Sara only looks around.
const EMPLOYEE = "yuki.tanaka";
const MANAGER = "hannah.muller";
const LOOKER = "sara.lindqvist";
const ROLE = "customer-pii-read";
const NDA_TO_USE_ROLE = /Sign the “Employee Confidentiality Agreement” to use Read customer personal data/;

test("an employee signs from her dashboard the agreement that blocks her role; her manager approves from his", async ({
  page,
  browser,
}) => {
  test.setTimeout(240_000);
  await signIn(page, EMPLOYEE);
  await expect(page).toHaveURL(/\/dashboard/);
  const todo = page.getByRole("region", { name: "Your to-do list" });
  // Before asking for the role, the agreement is on the list, not yet tied to a role.
  await expect(todo.getByRole("link", { name: /Sign the “Employee Confidentiality Agreement”/ })).toBeVisible();
  await expect(todo.getByRole("link", { name: NDA_TO_USE_ROLE })).toHaveCount(0);

  await page.goto("/access");
  const card = page.locator(`li[data-role="${ROLE}"]`);
  await card.getByText("Request access").click();
  await card
    .getByLabel("Why do you need the “Read customer personal data” role?")
    .fill("I look after the customer database and need to read support records.");
  await card.getByRole("button", { name: "Send request" }).click();
  await expect(card.getByText(/waiting for approval/)).toBeVisible();

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
  const sign = todo.getByRole("link", { name: NDA_TO_USE_ROLE });
  await expect(sign).toBeVisible();
  await expect(todo.getByText("Needed for access").first()).toBeVisible();
  await expectNoAxeViolations(page);
  await shoot(page, "dashboard-employee");

  await sign.click();
  await expect(page).toHaveURL(/\/agreements\/employee-nda$/);
  await giveEsignConsent(page);
  await page.getByLabel("Your password").fill(DEMO_PASSWORD);
  await page.getByLabel("Type your full legal name").fill("Yuki Tanaka");
  await page.getByRole("button", { name: "Sign the agreement" }).click();
  await expect(page).toHaveURL(/\/agreements\?signed=/);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
  await expect(todo).toBeVisible();
  await expect(todo.getByRole("link", { name: /Employee Confidentiality Agreement/ })).toHaveCount(0);
  // The role's other needs are still listed, each saying what it unlocks.
  await expect(todo.getByRole("link", { name: /to use Read customer personal data/ }).first()).toBeVisible();

  const manager = await (await browser.newContext()).newPage();
  await signInWithMfa(manager, MANAGER);
  await manager.goto("/dashboard");
  const waiting = manager.getByRole("region", { name: "Access requests waiting for you" });
  await expect(waiting.getByText("1 request", { exact: true })).toBeVisible();
  await expect(manager.getByText("1 access request waits for your decision.")).toBeVisible();
  await expect(manager.getByRole("region", { name: "Your team" })).toBeVisible();
  await expectNoAxeViolations(manager);
  await shoot(manager, "dashboard-manager");

  await waiting.getByRole("link", { name: "Yuki Tanaka: Read customer personal data" }).click();
  await expect(manager).toHaveURL(/\/access\/approvals#request-/);
  const id = new URL(manager.url()).hash.slice(1);
  const request = manager.locator(`li[id="${id}"]`);
  await expect(request).toContainText("Yuki Tanaka");
  await request.getByLabel(/Comment/).fill("Approved for database support work.");
  await request.getByRole("button", { name: "Approve" }).click();
  await expect(request).toHaveCount(0);

  await manager.goto("/dashboard");
  await expect(waiting.getByText("No requests are waiting for your decision.")).toBeVisible();
});

test("a compliance admin's dashboard lists approvals waiting and the organisation's queues", async ({ page }) => {
  await signInWithMfa(page, "carmen.diaz");
  await page.goto("/dashboard");
  await expect(page.getByRole("region", { name: "Access requests waiting for you" })).toBeVisible();
  const organisation = page.getByRole("region", { name: "Organisation" });
  await expect(organisation.getByRole("link", { name: /correction requests? open/ })).toBeVisible();
  await expect(
    page.getByRole("region", { name: "Audit" }).getByRole("link", { name: "Exceptions report" }),
  ).toBeVisible();
  await expectNoAxeViolations(page);
  await shoot(page, "dashboard-admin");
});

test("at 360 px the main menu is a button that opens, closes with Escape and on navigation, by keyboard", async ({
  page,
}) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await signIn(page, LOOKER);
  await expect(page).toHaveURL(/\/dashboard/);
  const button = page.getByRole("button", { name: "Menu" });
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(button).toHaveAttribute("aria-expanded", "false");
  await expect(nav).toBeHidden();
  expect(await button.getAttribute("aria-controls")).toBe(await page.locator("nav#main-menu").getAttribute("id"));

  // From the logo, Tab reaches the button first.
  await page.getByRole("link", { name: "Clearance dashboard" }).focus();
  await page.keyboard.press("Tab");
  await expect(button).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(button).toHaveAttribute("aria-expanded", "true");
  await expect(nav.getByRole("link", { name: "Dashboard" })).toBeVisible();
  await page.keyboard.press("Tab");
  await expect(nav.getByRole("link", { name: "Dashboard" })).toBeFocused();
  await expectNoAxeViolations(page);
  await page.screenshot({ path: "test-results/screens/menu-open-360.png", fullPage: true });

  await page.keyboard.press("Escape");
  await expect(button).toHaveAttribute("aria-expanded", "false");
  await expect(button).toBeFocused();
  await expect(nav).toBeHidden();

  await page.keyboard.press("Space");
  await expect(button).toHaveAttribute("aria-expanded", "true");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  await expect(nav.getByRole("link", { name: "Courses" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/courses$/);
  await expect(button).toHaveAttribute("aria-expanded", "false");
  await expect(nav).toBeHidden();

  // Wide, the links are simply there and the button is not.
  await page.setViewportSize({ width: 1280, height: 720 });
  await expect(button).toBeHidden();
  await expect(nav.getByRole("link", { name: "Agreements" })).toBeVisible();
});
