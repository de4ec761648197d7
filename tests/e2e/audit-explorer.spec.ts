import { readFileSync } from "node:fs";

import { expect, test } from "@playwright/test";

import { expectNoAxeViolations, signInWithMfa } from "./helpers";

test("an auditor filters the log by actor, period and outcome, reads events in words and exports the set", async ({
  page,
}) => {
  await signInWithMfa(page, "amir.haddad");
  await page.goto("/audit");
  const filters = page.getByRole("form", { name: "Filter audit events" });
  const today = new Date().toISOString().slice(0, 10);
  await filters.getByLabel("From (UTC)").fill(today);
  await filters.getByLabel("To (UTC)").fill(today);
  await filters.getByLabel("Actor").fill("amir");
  await filters.getByLabel("Category").selectOption({ label: "Sign-in and security" });
  await filters.getByLabel("Outcome").selectOption({ label: "Done" });
  await filters.getByRole("button", { name: "Filter" }).click();

  await expect(page).toHaveURL(/actor=amir/);
  await expect(page.getByRole("status").filter({ hasText: /events match/ })).toContainText(
    /^\d+ of [\d,]+ events match/,
  );
  const events = page.getByRole("table");
  await expect(events.getByText("Amir Haddad signed in").first()).toBeVisible();
  // The stored record stays one click away.
  await events.getByText("Stored record").first().click();
  await expect(events.getByText(/hash:/).first()).toBeVisible();
  await expectNoAxeViolations(page);

  // The export writes the same set.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    filters.getByRole("link", { name: "CSV" }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^audit-log-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = readFileSync((await download.path())!, "utf8");
  const lines = csv.trimEnd().split("\r\n");
  expect(lines[0]).toContain("Event,Time (UTC),What happened,Actor");
  expect(lines.length).toBeGreaterThan(1);
  expect(lines.slice(1).every((l) => l.includes("amir"))).toBe(true);
  expect(csv).toContain("Amir Haddad signed in");

  // Nothing matches a person nobody is: the page says so.
  await filters.getByLabel("Person concerned").fill("nobody-by-this-name");
  await filters.getByRole("button", { name: "Filter" }).click();
  await expect(page.getByText("No events match these filters.")).toBeVisible();
  await page.getByRole("link", { name: "Clear filters" }).click();
  await expect(page).toHaveURL(/\/audit$/);
});
