import { readFileSync } from "node:fs";

import { expect, test } from "@playwright/test";

import { alertOf, expectNoAxeViolations, signInWithMfa } from "./helpers";

test.describe("auditing data operations and webhooks", () => {
  test("an auditor filters data-operation events and downloads them as CSV", async ({ page }) => {
    await signInWithMfa(page, "amir.haddad");
    await page.goto("/audit/data-events");
    await expect(page.getByRole("heading", { name: "Data-operation events" })).toBeVisible();
    await expectNoAxeViolations(page);

    await page
      .getByRole("navigation", { name: "Filter by clearance" })
      .getByRole("link", { name: /Uncleared only/ })
      .click();
    await expect(page).toHaveURL(/uncleared=1/);
    await expect(page.getByRole("link", { name: /Uncleared only/ })).toHaveAttribute("aria-current", "page");

    await page.getByLabel("Person's email").fill("nobody@brightline.example");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(page.getByText("No one has that email address")).toBeVisible();
    await page.getByLabel("Person's email").fill("ANA.SILVA@brightline.example");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(page).toHaveURL(/person=ANA\.SILVA%40brightline\.example/);
    await expect(page.getByText("No one has that email address")).toHaveCount(0);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^data-events-\d{4}-\d{2}-\d{2}-uncleared\.csv$/);
    const csv = readFileSync((await download.path())!, "utf8");
    expect(csv.split("\r\n")[0]).toBe(
      "\uFEFFEvent id,Occurred (UTC),Name,Email,Department,Action,Resource,Role,Cleared,Reasons,Reason codes",
    );
  });

  test("a compliance admin adds a webhook, sees its secret once, and deactivates it", async ({ page }) => {
    await signInWithMfa(page, "carmen.diaz");
    await page.goto("/admin/webhooks");
    await expect(page.getByRole("heading", { name: "Webhooks" })).toBeVisible();

    await page.getByLabel("Receiver URL").fill("http://siem.example.com/hook");
    await page.getByRole("button", { name: "Add webhook" }).click();
    await expect(
      page.getByText("Use https://. Plain http:// is accepted only where private targets are allowed"),
    ).toBeVisible();
    await expect(alertOf(page)).toContainText("Please correct the highlighted fields.");

    const url = `https://siem.example.com/hooks/e2e-${Date.now()}`;
    await page.getByLabel("Receiver URL").fill(url);
    for (const type of ["access.granted", "access.revoked", "certification.expired", "agreement.signed"])
      await page.getByRole("checkbox", { name: new RegExp(`^${type.replace(".", "\\.")} `) }).uncheck();
    await page.getByRole("button", { name: "Add webhook" }).click();
    const secret = page.getByTestId("webhook-secret");
    await expect(secret).toHaveValue(/^whsec_[A-Za-z0-9_-]{40,}$/);
    const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: url, exact: true }) });
    await expect(row.getByText("access.lapsed")).toBeVisible();
    await expect(row.getByText("Active")).toBeVisible();
    await expectNoAxeViolations(page);

    // Shown once: a fresh page has no secret on it.
    await page.reload();
    await expect(page.getByTestId("webhook-secret")).toHaveCount(0);
    expect(await page.content()).not.toContain("whsec_");

    await row.getByRole("link", { name: `Delivery log for ${url}` }).click();
    await expect(page.getByRole("heading", { name: "Delivery log" })).toBeVisible();
    await expect(page.getByText("Nothing sent yet")).toBeVisible();
    await expectNoAxeViolations(page);

    await page.goto("/admin/webhooks");
    await row.getByRole("button", { name: "Deactivate" }).click();
    await expect(row.getByText("Deactivated")).toBeVisible();
    await expect(row.getByRole("button", { name: "Deactivate" })).toHaveCount(0);
  });
});
