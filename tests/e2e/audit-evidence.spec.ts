import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

import { expect, test } from "@playwright/test";

import { expectNoAxeViolations, shoot, signInWithMfa } from "./helpers";

test("an auditor generates an evidence pack, watches it being made and downloads the signed ZIP", async ({ page }) => {
  // A whole journey with a background job and two accessibility scans: slow on a loaded machine.
  test.setTimeout(240_000);
  await signInWithMfa(page, "amir.haddad");
  await page.goto("/audit");
  await page.getByRole("navigation", { name: "Administration" }).getByRole("link", { name: "Evidence packs" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Evidence packs" })).toBeVisible();
  await expectNoAxeViolations(page);

  const form = page.getByRole("form", { name: "Evidence pack" });
  // A period that ends before it starts is a field message, not a pack.
  await form.getByLabel("From (UTC)").fill("2026-06-30");
  await form.getByLabel("To (UTC, included)").fill("2026-01-01");
  await form.getByRole("button", { name: "Generate" }).click();
  await expect(form.getByText("The period ends before it starts.")).toBeVisible();

  await form.getByLabel("From (UTC)").fill("2025-01-01");
  await form.getByLabel("To (UTC, included)").fill("2026-12-31");
  await form.getByLabel("Scope").selectOption({ label: "Customer Support" });
  await form.getByLabel("Overdue after (days)").fill("14");
  await form.getByRole("button", { name: "Generate" }).click();
  await expect(form.getByRole("status")).toContainText(/being made/);

  const row = page.getByRole("row").filter({ hasText: "2025-01-01 to 2026-12-31" }).first();
  const download = row.getByRole("link", { name: /Download/ });
  // Progress while it is made (a small pack may already be done), then the link.
  await expect(row.getByRole("progressbar").or(download)).toBeVisible();
  await expect(download).toBeVisible({ timeout: 120_000 });
  await expect(row).toContainText(/SHA-256 [0-9a-f]{64}/);
  await expectNoAxeViolations(page);

  const [file] = await Promise.all([page.waitForEvent("download"), download.click()]);
  expect(file.suggestedFilename()).toMatch(/^evidence-2025-01-01-to-2026-12-31-support\.zip$/);
  const path = (await file.path())!;
  const bytes = readFileSync(path);
  expect(bytes.subarray(0, 4).toString("latin1")).toBe("PK\u0003\u0004");
  const listing = execFileSync("unzip", ["-l", path]).toString();
  expect(listing).toContain("manifest.json");
  expect(listing).toContain("manifest.json.p7s");
  expect(listing).toContain("population.csv");

  await shoot(page, "evidence");
});
