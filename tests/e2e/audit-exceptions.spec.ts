import { readFileSync } from "node:fs";

import { expect, test } from "@playwright/test";

import { expectNoAxeViolations, signInWithMfa } from "./helpers";

test("an auditor opens the exceptions report for a period, reads each finding's definition and downloads it", async ({
  page,
}) => {
  await signInWithMfa(page, "amir.haddad");
  await page.goto("/audit");
  await page.getByRole("navigation", { name: "Administration" }).getByRole("link", { name: "Exceptions" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Exceptions" })).toBeVisible();
  const period = page.getByRole("form", { name: "Report period" });
  await period.getByLabel("Overdue after (days)").fill("7");
  await period.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/overdueDays=7/);
  await expect(
    page.getByRole("heading", { level: 2, name: "Access approved while requirements were not met" }),
  ).toBeVisible();
  await expect(
    page.getByText(/at the moment of approval, the person's training or agreements did not meet/),
  ).toBeVisible();
  await expectNoAxeViolations(page);

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download CSV" }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^exceptions-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = readFileSync((await download.path())!, "utf8");
  expect(csv.split("\r\n")[0]).toContain("Kind,Finding,Definition,When (UTC),Name,Email");
});
