import { expect, test } from "@playwright/test";

import { expectNoAxeViolations, shoot, signIn } from "./helpers";

/**
 * A person reads the emails Clearance sent them in the app, and chooses how
 * often routine mail comes. The in-process scheduler queues each person's
 * first reminders within seconds of start, gathered into one message.
 */

test("a person opens their notifications and reads an email as it was sent; another id is not found", async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signIn(page, "noah.kim");
  await expect(page).toHaveURL(/\/dashboard/);
  await page
    .getByRole("banner")
    .getByRole("link", { name: /^Notifications/ })
    .click();
  await expect(page).toHaveURL(/\/notifications$/);
  await expect(page.getByRole("heading", { name: "Notifications", level: 1 })).toBeVisible();

  const firstMessage = page.getByRole("table").getByRole("link").first();
  await expect
    .poll(
      async () => {
        await page.reload();
        return firstMessage.count();
      },
      { timeout: 90_000, intervals: [2_000] },
    )
    .toBeGreaterThan(0);
  await expectNoAxeViolations(page);
  await shoot(page, "notifications");

  const subject = (await firstMessage.textContent())!.trim();
  await firstMessage.click();
  await expect(page).toHaveURL(/\/notifications\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name: subject, level: 1 })).toBeVisible();
  await expect(page.getByText("To noah.kim@brightline.example", { exact: false })).toBeVisible();
  await expect(page.getByTestId("email-text")).toContainText("Noah");
  await expectNoAxeViolations(page);
  await shoot(page, "notification");

  // Opening the list marked everything seen: the header shows no count.
  await expect(page.getByRole("banner").getByRole("link", { name: "Notifications", exact: true })).toBeVisible();

  const missing = await page.goto("/notifications/00000000-0000-4000-8000-000000000000");
  expect(missing?.status()).toBe(404);
});

test("a person changes how often routine mail comes on their account page, and it stays saved", async ({ page }) => {
  await signIn(page, "noah.kim");
  await expect(page).toHaveURL(/\/dashboard/);
  await page.goto("/account");
  const choice = page.getByRole("group", { name: "Send me routine notifications" });
  await expect(choice.getByLabel(/As my organisation sets it/)).toBeChecked();
  await expect(page.getByText(/Security messages are always sent at once/)).toBeVisible();
  await choice.getByLabel("A daily digest, around 07:00 UTC").check();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByText("Email preference saved.")).toBeVisible();
  await page.reload();
  await expect(choice.getByLabel("A daily digest, around 07:00 UTC")).toBeChecked();
  await expectNoAxeViolations(page);
  await shoot(page, "account-notifications");

  // Back to the organisation's default, as the other journeys expect.
  await choice.getByLabel(/As my organisation sets it/).check();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByText("Email preference saved.")).toBeVisible();
  await page.reload();
  await expect(choice.getByLabel(/As my organisation sets it/)).toBeChecked();
});
