import { readFileSync } from "node:fs";

import { expect, test, type Page } from "@playwright/test";

import { completeCourse, expectNoAxeViolations, signIn, signInWithMfa } from "./helpers";

/**
 * My data: a person's export holds their own records and nobody else's, and
 * the choice to share only pass/fail with their manager is honoured on the
 * manager's view of their record.
 */

const COURSE = "access-control-mfa";
const DEMO_DOMAIN = "brightline.example";
// Other people of the demo organisation, among them Mateo's manager and teammates.
const OTHERS = ["priya.nair", "ana.silva", "noah.kim", "li.hua", "carmen.diaz", "amir.haddad", "olivia.grant"];
const OTHER_NAMES = ["Priya Nair", "Ana Silva", "Noah Kim", "李华", "Carmen Díaz", "Amir Haddad", "Olivia Grant"];

async function savePreference(page: Page, label: "My scores" | "Only whether I passed") {
  await page.goto("/account/data");
  await page.getByRole("group", { name: "What your manager sees of your quizzes" }).getByLabel(label).check();
  await page.getByRole("button", { name: "Save preferences" }).click();
  await expect(page.getByRole("button", { name: "Save preferences" })).toBeEnabled();
  await page.reload();
  await expect(
    page.getByRole("group", { name: "What your manager sees of your quizzes" }).getByLabel(label),
  ).toBeChecked();
}

test("a person's export holds their records and none of anyone else's; a manager sees only pass/fail when the person chose so", async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  await signIn(page, "mateo.garcia");
  await expect(page).toHaveURL(/\/dashboard/);
  await savePreference(page, "Only whether I passed");
  await expectNoAxeViolations(page);
  await completeCourse(page, COURSE);

  // The JSON export: Mateo's profile, attempt and certification; no one else's address or name.
  await page.goto("/account/data");
  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download JSON" }).click();
  const download = await downloading;
  const text = readFileSync((await download.path())!, "utf8");
  const data = JSON.parse(text) as {
    person: { email: string };
    groups: { key?: string; title?: string; records?: unknown[] }[];
  };
  expect(data.person.email).toBe(`mateo.garcia@${DEMO_DOMAIN}`);
  expect(text).toContain(COURSE);
  expect(text).toMatch(/"managerSeesScores":\s*false/);
  for (const other of OTHERS) expect(text, `export mentions ${other}`).not.toContain(`${other}@${DEMO_DOMAIN}`);
  for (const name of OTHER_NAMES) expect(text, `export mentions ${name}`).not.toContain(name);

  // Priya, his manager, sees that he passed, not his score.
  const managerContext = await browser.newContext();
  const manager = await managerContext.newPage();
  await signInWithMfa(manager, "priya.nair");
  await manager.goto("/team?q=mateo");
  await manager
    .getByRole("table", { name: /^Training status of/ })
    .getByRole("link", { name: "Mateo García" })
    .click();
  await expect(manager.getByRole("heading", { level: 1 })).toHaveText("Mateo García");
  const attempts = manager.locator("section", { has: manager.getByRole("heading", { name: "Quiz attempts" }) }).last();
  await expect(attempts.getByText("This person shares only whether they passed.")).toBeVisible();
  await expect(attempts.getByRole("columnheader", { name: "Score" })).toHaveCount(0);
  await expect(attempts.getByRole("cell", { name: /Passed/ }).first()).toBeVisible();
  await expect(attempts.getByText("100%")).toHaveCount(0);
  await expectNoAxeViolations(manager);

  // Once he shares scores again, the score appears.
  await savePreference(page, "My scores");
  await manager.reload();
  await expect(attempts.getByRole("columnheader", { name: "Score" })).toBeVisible();
  await expect(attempts.getByRole("cell", { name: "100%" }).first()).toBeVisible();
  await managerContext.close();
});

async function askForCorrection(page: Page, field: string, value: string) {
  await page.getByLabel("What is wrong?").selectOption({ label: field });
  await page.getByLabel("What it should be").fill(value);
  await page.getByRole("button", { name: "Ask for a correction" }).click();
  // The form empties once the request is stored.
  await expect(page.getByLabel("What it should be")).toHaveValue("");
  await expect(page.getByText("Request sent. Your compliance team will review it.")).toBeVisible();
}

test("a correction request is reviewed and applied to the record in one step, or rejected", async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  await signIn(page, "chloe.martin");
  await expect(page).toHaveURL(/\/dashboard/);
  await page.goto("/account/data");
  await askForCorrection(page, "Department", "Finance");
  await askForCorrection(page, "Job title", "Staff Engineer");
  await askForCorrection(page, "Something else", "My hire date is a month early");

  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signInWithMfa(admin, "carmen.diaz");
  await admin.goto("/admin/corrections");
  const request = (name: string) =>
    admin
      .getByRole("listitem")
      .filter({ hasText: "Chloé Martin" })
      .filter({ hasText: `asks to change ${name}` });

  // The department: the current one is shown, the requested one is chosen in the list, and applying changes both.
  const department = request("Department");
  await department.getByText("Review and apply").click();
  await expect(department.getByText("Current department: Engineering")).toBeVisible();
  await expect(department.getByLabel("New department")).toHaveValue("finance");
  await expectNoAxeViolations(admin);
  await department.locator("details").getByLabel("Note to the person").fill("Moved in November.");
  await department.getByRole("button", { name: "Apply and resolve" }).click();
  // Resolved, the request leaves the list of open ones.
  await expect(department).toHaveCount(0);

  // The title: a value the person form refuses shows beside the field and changes nothing; a good one is applied.
  const title = request("Job title");
  await title.getByText("Review and apply").click();
  await expect(title.getByText("Current job title: Backend Engineer")).toBeVisible();
  await expect(title.getByLabel("New job title")).toHaveValue("Staff Engineer");
  await title.getByLabel("New job title").fill("x".repeat(201));
  await title.getByRole("button", { name: "Apply and resolve" }).click();
  await expect(title.getByText("Use at most 200 characters.")).toBeVisible();
  await expect(title.getByLabel("New job title")).toHaveAttribute("aria-invalid", "true");
  await expectNoAxeViolations(admin);
  await title.getByLabel("New job title").fill("Staff Backend Engineer");
  await title.getByRole("button", { name: "Apply and resolve" }).click();
  await expect(title).toHaveCount(0);

  // Something else names no field: it offers no apply, and rejecting still works.
  const other = request("Something else");
  await expect(other.getByText("Review and apply")).toHaveCount(0);
  await other.getByRole("button", { name: "Reject" }).click();
  await expect(other).toHaveCount(0);
  await admin.reload();
  await expect(admin.getByText("Chloé Martin")).toHaveCount(0);
  await adminContext.close();

  // Chloé's record holds the applied values, and her requests show how each ended.
  await page.goto("/account/data");
  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download JSON" }).click();
  const text = readFileSync((await (await downloading).path())!, "utf8");
  expect(text).toContain("Staff Backend Engineer");
  expect(text).toMatch(/"department":\s*"Finance"/);
  await expect(page.getByText("resolved", { exact: true })).toHaveCount(2);
  await expect(page.getByText("rejected", { exact: true })).toHaveCount(1);
});
