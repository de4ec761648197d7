import { readFileSync } from "node:fs";

import { expect, test } from "@playwright/test";

import { expectNoAxeViolations, signInWithMfa } from "./helpers";

/**
 * A whole organisation's file (1,200 people, staff listed before their
 * managers, non-Latin names, a few bad rows) through the import page: upload,
 * the background check, the problems and their download, apply with the
 * progress bar, a reload mid-way, and the result.
 */
function organisation(prefix: string): string {
  const rows = ["email,name,department,title,manager_email,hire_date,roles"];
  const managers = 40;
  for (let i = 0; i < 1_150; i++) {
    const name = ["Zoë Ångström", "山田 太郎", "محمد علي", "Ярослава Ковальчук"][i % 4];
    rows.push(
      `${prefix}.s${i}@example.org,${name} ${i},Customer Support,Agent,${prefix}.m${i % managers}@example.org,2026-12-01,`,
    );
  }
  // The imported managers report to nobody in the demo organisation, so other specs' teams stay as seeded.
  for (let m = 0; m < managers; m++)
    rows.push(`${prefix}.m${m}@example.org,Manager ${m},Customer Support,Lead,,2026-12-01,employee;manager`);
  for (let b = 0; b < 10; b++) rows.push(`${prefix}.bad${b}@example.org,Bad ${b},Marketing,,,2026-02-30,`);
  return rows.join("\n");
}

test("a compliance admin imports an organisation as a background job and follows its progress", async ({ page }) => {
  test.setTimeout(180_000);
  const prefix = `job${Date.now().toString(36)}`;
  await signInWithMfa(page, "carmen.diaz");
  await page.goto("/admin/people/import");
  await expect(page.getByRole("heading", { level: 1, name: "Import people" })).toBeVisible();
  await expectNoAxeViolations(page);

  // An empty choice is refused on the page, with a message.
  await page.getByRole("button", { name: "Upload and check" }).click();
  await expect(page.getByText("Choose a CSV file to upload.")).toBeVisible();

  await page.getByLabel("CSV file").setInputFiles({
    name: "organisation.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(organisation(prefix), "utf8"),
  });
  // Keyboard only: focus the button and press Enter.
  await page.getByRole("button", { name: "Upload and check" }).focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/admin\/people\/import\/[0-9a-f-]{36}$/);
  const jobUrl = page.url();

  await expect(page.getByTestId("import-summary")).toHaveText(
    "1,200 rows: 1,190 to create, 0 to update, 0 unchanged, 10 rows with errors. Nothing has been changed yet.",
    { timeout: 60_000 },
  );
  await expect(page.getByRole("table", { name: "The first 20 problems" })).toContainText(
    "“Marketing” is not a department.",
  );
  await expectNoAxeViolations(page);

  // Every problem, as CSV.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download all 20 problems (CSV)" }).click(),
  ]);
  const csv = readFileSync((await download.path())!, "utf8");
  expect(csv.split("\r\n")[0]).toBe("row,column,value,message");
  expect(csv.trim().split("\r\n")).toHaveLength(21);

  // Apply, reload mid-way: the page shows the same job's progress, then what it did.
  await page.getByRole("button", { name: "Apply 1,190 valid rows" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByText(/Applying|Imported organisation\.csv/).first()).toBeVisible({ timeout: 30_000 });
  await page.reload();
  await expect(page.getByTestId("import-result")).toHaveText(
    "Imported organisation.csv: 1,190 people created, 0 updated.",
    { timeout: 120_000 },
  );
  await expect(page.getByText("10 rows with errors were skipped.")).toBeVisible();
  await expectNoAxeViolations(page);

  // Listed on the import page; the new people are there, with their manager.
  await page.goto("/admin/people/import");
  await expect(page.getByRole("table", { name: "Recent imports, newest first" })).toContainText("organisation.csv");
  await page.goto(`/admin/people?q=${prefix}.s1@`);
  await expect(page.locator(`tr[data-email="${prefix}.s1@example.org"]`)).toContainText("山田 太郎 1");

  // One welcome per new person, in the outbox.
  await page.goto(`/admin/outbox?to=${prefix}.s1@`);
  await expect(page.getByRole("link", { name: /Set up your Clearance account/ })).toHaveCount(1);
  await page.goto(jobUrl);
  await expect(page.getByRole("button", { name: /Apply/ })).toHaveCount(0);
});
