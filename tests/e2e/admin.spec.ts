import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { expect, test } from "@playwright/test";

import { email, expectNoAxeViolations, signIn, signInWithMfa } from "./helpers";

// Two new hires and one row with a department that does not exist. Written as a spreadsheet
// would save it: a byte-order mark, CRLF line ends, and a quoted name holding a comma.
const IMPORT_CSV = [
  "\uFEFFemail,name,department,title,manager_email,hire_date,roles",
  `${email("hana.ito")},Hana Ito,Customer Support,Support Engineer,${email("priya.nair")},2026-11-02,employee`,
  `${email("oskar.berg")},"Berg, Oskar",engineering,Backend Engineer,${email("hannah.muller")},2026-11-16,`,
  `${email("rui.costa")},Rui Costa,Marketing,Designer,,2026-11-16,`,
].join("\r\n");

const NEW_PASSWORD = "lantern harbour quietly 42";

test("a compliance admin imports people, an invited person sets a password, and the overview exports", async ({
  page,
  browser,
}) => {
  test.setTimeout(240_000); // a long journey: MFA, two imports, an invitation, sign-in, six axe passes
  const dir = mkdtempSync(path.join(os.tmpdir(), "clearance-e2e-import-"));
  const file = path.join(dir, "new-hires.csv");
  writeFileSync(file, IMPORT_CSV, "utf8");

  await signInWithMfa(page, "carmen.diaz");
  await page.goto("/admin/people");
  await expect(page.getByRole("heading", { level: 1, name: "People" })).toBeVisible();
  await expectNoAxeViolations(page);
  await page.getByRole("link", { name: "Import CSV" }).click();
  await expect(page).toHaveURL(/\/admin\/people\/import$/);

  // The file is checked in the background: counts and the bad row named by row and column. Nothing is written yet.
  await page.getByLabel("CSV file").setInputFiles(file);
  await page.getByRole("button", { name: "Upload and check" }).click();
  await expect(page).toHaveURL(/\/admin\/people\/import\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("import-summary")).toHaveText(
    "3 rows: 2 to create, 0 to update, 0 unchanged, 1 row with errors. Nothing has been changed yet.",
  );
  await expect(page.locator('tr[data-row="4"]')).toContainText("“Marketing” is not a department.");
  await expectNoAxeViolations(page);
  const jobPage = page.url();
  await page.goto(`/admin/people?q=hana.ito`);
  await expect(page.getByText("No one matches that search")).toBeVisible();

  await page.goto(jobPage);
  await page.getByRole("button", { name: "Apply 2 valid rows" }).click();
  await expect(page.getByTestId("import-result")).toHaveText("Imported new-hires.csv: 2 people created, 0 updated.", {
    timeout: 30_000,
  });
  await expect(page.getByText("1 row with errors was skipped.")).toBeVisible();

  await page.getByRole("link", { name: "Back to people" }).click();
  await page.getByLabel("Search people").fill("hana.ito");
  await page.getByLabel("Status", { exact: true }).selectOption("active");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/q=hana\.ito&status=active/);
  const hana = page.locator(`tr[data-email="${email("hana.ito")}"]`);
  await expect(hana).toContainText("Hana Ito");
  await expect(hana).toContainText("reports to Priya Nair");
  await expectNoAxeViolations(page);
  await page.goto("/admin/people?q=oskar");
  await expect(page.locator(`tr[data-email="${email("oskar.berg")}"]`)).toContainText("Berg, Oskar");
  await page.goto("/admin/people?q=rui.costa");
  await expect(page.getByText("No one matches that search")).toBeVisible();

  // The same file again changes nothing.
  await page.goto("/admin/people/import");
  await page.getByLabel("CSV file").setInputFiles(file);
  await page.getByRole("button", { name: "Upload and check" }).click();
  await expect(page.getByTestId("import-summary")).toContainText("0 to create, 0 to update, 2 unchanged");
  await expect(page.getByText("Nothing to apply")).toBeVisible();

  // The welcome waits in the outbox with its single-use link and what is due.
  await page.goto("/admin/outbox");
  await page
    .locator("tr", { hasText: email("hana.ito") })
    .getByRole("link", { name: /Set up your Clearance account/ })
    .click();
  await expect(page).toHaveURL(/\/admin\/outbox\/[0-9a-f-]{36}$/);
  const text = await page.getByTestId("email-text").innerText();
  expect(text).toContain("Hello Hana Ito");
  expect(text).toContain("What is due for you");
  const link = /\/set-password\/[A-Za-z0-9_-]{20,}/.exec(text)?.[0];
  expect(link).toBeTruthy();

  // Hana chooses a password (after two mistakes) and signs in with it.
  const hanaContext = await browser.newContext();
  const invited = await hanaContext.newPage();
  await invited.goto(link!);
  await expect(invited.getByRole("heading", { level: 1, name: "Set your password" })).toBeVisible();
  await expect(invited.getByText("Welcome, Hana Ito.")).toBeVisible();
  await expectNoAxeViolations(invited);
  await invited.getByLabel("New password").fill("too short");
  await invited.getByLabel("Type it again").fill("too short");
  await invited.getByRole("button", { name: "Set password" }).click();
  await expect(invited.getByText("Use at least 15 characters.")).toBeVisible();
  await invited.getByLabel("New password").fill(NEW_PASSWORD);
  await invited.getByLabel("Type it again").fill(`${NEW_PASSWORD}!`);
  await invited.getByRole("button", { name: "Set password" }).click();
  await expect(invited.getByText("The two passwords are not the same.")).toBeVisible();
  await expect(invited.getByLabel("Type it again")).toHaveAttribute("aria-invalid", "true");
  await invited.getByLabel("New password").fill(NEW_PASSWORD);
  await invited.getByLabel("Type it again").fill(NEW_PASSWORD);
  await invited.getByRole("button", { name: "Set password" }).click();
  await expect(invited.getByText(`Your password is set. Sign in with ${email("hana.ito")}`)).toBeVisible();
  await signIn(invited, "hana.ito", NEW_PASSWORD);
  await expect(invited).toHaveURL(/\/dashboard/);
  await expect(invited.getByText("Hana Ito").first()).toBeVisible();

  // The link worked once.
  await invited.goto(link!);
  await expect(invited.getByRole("heading", { level: 1, name: "This link has already been used" })).toBeVisible();
  await expectNoAxeViolations(invited);
  await hanaContext.close();

  // A course assigned by hand: the person field suggests active people as the admin types.
  await page.goto("/admin/assignments");
  const personField = page.getByLabel("Person (work email)");
  await personField.pressSequentially("Hana It");
  await expect(page.locator(`#people-directory option[value="${email("hana.ito")}"]`)).toHaveCount(1);
  await expect(page.locator("#people-directory option")).toHaveCount(1);
  await personField.fill(email("hana.ito"));
  await page.getByLabel("Course", { exact: true }).selectOption({ label: "Third-party and partner data sharing" });
  await page.getByRole("button", { name: "Assign course" }).click();
  await expect(page.getByText(`Assigned. ${email("hana.ito")} will see it on their dashboard.`)).toBeVisible();
  await expect(page.getByRole("row", { name: /Hana Ito.*Third-party and partner data sharing/ })).toBeVisible();
  await expectNoAxeViolations(page);

  // The organisation overview, and its CSV.
  await page.goto("/admin/overview");
  await expect(page.getByRole("heading", { level: 1, name: "Compliance overview" })).toBeVisible();
  await expect(page.getByRole("img", { name: "Organisation-wide compliance, last 12 months" })).toBeVisible();
  await expect(
    page.getByRole("table", { name: "Completion, overdue and expiring certifications by course" }),
  ).toContainText("Data-protection law essentials");
  await expectNoAxeViolations(page);
  await page.getByText("Show the data as a table").first().click();
  await expect(page.getByRole("table", { name: "Organisation-wide compliance by month" })).toBeVisible();
  await expectNoAxeViolations(page);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download CSV" }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^compliance-overview-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = readFileSync((await download.path())!);
  expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const lines = csv.toString("utf8").slice(1).split("\r\n");
  expect(lines[0]).toBe(
    "Section,Item,People,Required,Complete,Rate %,Overdue,Expiring within 30 days,Expiring within 60 days,Expiring within 90 days,Not signed,Renewal or new version due",
  );
  expect(lines.some((l) => l.startsWith("Course,Data-protection law essentials,"))).toBe(true);
  expect(lines.filter((l) => l.startsWith("Trend,"))).toHaveLength(12);
});
