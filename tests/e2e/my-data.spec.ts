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
