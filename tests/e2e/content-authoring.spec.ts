import { readFileSync } from "node:fs";

import { expect, test, type Page } from "@playwright/test";

import { readZip } from "../../lib/evidence/zip-reader";
import { zip } from "../../lib/privacy/zip";
import { completeCourse, email, expectNoAxeViolations, shoot, signInWithMfa } from "./helpers";

/**
 * A compliance team changes a built-in course the way it would in its policy
 * centre: a second compliance admin is named, approval is required, one admin
 * edits a question and submits a major version, the other compares and
 * approves, and a learner certified in the course is asked to recertify. Then
 * the content goes out as a ZIP and comes back in as a draft.
 */

const COURSE = "insider-risk";
const LEARNER = "tariq.rahman";
const OLD_PROMPT = "Which of these are kinds of insider risk covered in this course? Select all that apply.";
const NEW_PROMPT = "Which kinds of insider risk does this course teach you to recognise? Select all that apply.";

test.describe.configure({ mode: "serial" });

async function newPage(browser: import("@playwright/test").Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

test("a learner is certified in the course before it changes", async ({ browser }) => {
  // A manager: the course is assigned to managers.
  const learner = await newPage(browser);
  await signInWithMfa(learner, LEARNER);
  await completeCourse(learner, COURSE);
});

test("a compliance admin names a second admin, requires approval for courses, edits a question and submits a major version", async ({
  browser,
}) => {
  const admin = await newPage(browser);
  await signInWithMfa(admin, "carmen.diaz");
  await admin.goto("/admin/people?q=rachel");
  const row = admin.locator(`tr[data-email="${email("rachel.green")}"]`);
  await row.getByRole("group", { name: "Roles of Rachel Green" }).getByLabel("Compliance admin").check();
  await row.getByRole("button", { name: "Save roles" }).click();
  await expect(row.getByRole("button", { name: "Save roles" })).toBeEnabled();

  await admin.goto("/admin/content");
  await expect(admin.getByRole("heading", { name: "Content", level: 1 })).toBeVisible();
  await expectNoAxeViolations(admin);
  await shoot(admin, "content-list");
  const coursesApproval = admin.locator("form", { hasText: "Courses:" });
  await coursesApproval.getByRole("button", { name: "Require approval" }).click();
  await expect(admin.getByText("A second compliance admin must now approve.")).toBeVisible();

  await admin.getByRole("link", { name: "Insider risk", exact: true }).click();
  await expect(admin.getByRole("heading", { name: "Insider risk", level: 1 })).toBeVisible();
  await expectNoAxeViolations(admin);
  await admin.getByRole("button", { name: "Edit" }).click();
  await expect(admin).toHaveURL(new RegExp(`/admin/content/course/${COURSE}/draft$`));
  await expect(admin.getByRole("heading", { name: "No problems: ready to publish" })).toBeVisible();
  await expectNoAxeViolations(admin);
  await shoot(admin, "content-draft-lesson");

  // Settings and questions open as forms: who the course reaches now, one setting changed, a question opened.
  const files = admin.getByRole("navigation", { name: "Files of this draft" });
  await files.getByRole("button", { name: "Settings" }).click();
  await expect(admin.getByRole("tab", { name: "Form" })).toHaveAttribute("aria-selected", "true");
  const assigned = admin.getByText(/^Who will be assigned: [1-9]\d* (person|people)$/);
  await expect(assigned).toBeVisible();
  const before = Number((await assigned.innerText()).match(/\d+/)![0]);
  // Naming people adds them to the count; an address of nobody is pointed out.
  const named = admin.getByLabel("Named people");
  await named.fill(`${email("liam.oconnor")}\nnobody@example.invalid`);
  await expect(admin.getByText(`Who will be assigned: ${before + 1} people`)).toBeVisible();
  await expect(
    admin.getByText("No active person has the address nobody@example.invalid: check the spelling."),
  ).toBeVisible();
  // A first day ahead: counted as people stand, with the day it starts.
  await admin.getByLabel("Applies from (optional)").fill("2099-01-01");
  await expect(admin.getByText("Counted as people stand today; nobody is assigned before 2099-01-01.")).toBeVisible();
  await expectNoAxeViolations(admin);
  await shoot(admin, "content-draft-audience");
  await admin.getByLabel("Applies from (optional)").fill("");
  await named.fill("");
  await expect(admin.getByText(`Who will be assigned: ${before} ${before === 1 ? "person" : "people"}`)).toBeVisible();
  await admin.getByLabel("Estimated minutes").fill("30");
  await expect(admin.getByRole("heading", { name: "No problems: ready to publish" })).toBeVisible();
  await expectNoAxeViolations(admin);
  await shoot(admin, "content-draft-settings-form");

  await files.getByRole("button", { name: /Question bank/ }).click();
  await expect(admin.getByRole("table", { name: "The bank against the bar" })).toBeVisible();
  await admin.getByRole("button", { name: new RegExp(OLD_PROMPT.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) }).click();
  await expect(admin.getByLabel("Prompt", { exact: true })).toHaveValue(OLD_PROMPT);
  await expectNoAxeViolations(admin);
  await shoot(admin, "content-draft-question-form");

  // The same file as YAML, edited by hand.
  await admin.getByRole("tab", { name: "YAML" }).click();
  const editor = admin.getByLabel(/Question bank/);
  const bank = await editor.inputValue();
  expect(bank).toContain(OLD_PROMPT);
  // A mistake first: the check names it as you type, and publishing waits.
  await editor.fill(bank.replace(OLD_PROMPT, NEW_PROMPT).replace("type: multiple", "type: several"));
  await expect(admin.getByRole("heading", { name: /problems? to fix before publishing/ })).toBeVisible();
  await expect(admin.getByRole("button", { name: "Submit for approval" })).toBeDisabled();
  await editor.fill(bank.replace(OLD_PROMPT, NEW_PROMPT));
  await expect(admin.getByRole("heading", { name: "No problems: ready to publish" })).toBeVisible();
  await admin.getByRole("button", { name: "Save draft" }).click();
  await expect(admin.getByText("Saved.", { exact: true })).toBeVisible();
  await shoot(admin, "content-draft-bank");

  await admin.getByLabel(/^Major/).check();
  await admin.getByLabel("What changed (kept with the version)").fill("Sharper first question.");
  await admin.getByRole("button", { name: "Submit for approval" }).click();
  await expect(admin).toHaveURL(/submitted=1/);
  await expect(admin.getByText("Another compliance admin must approve it before it is published.")).toBeVisible();
  await expect(admin.getByText("Another compliance admin must approve what you submitted.")).toBeVisible();
  await expect(admin.getByRole("button", { name: "Approve and publish" })).toHaveCount(0);
});

test("the second compliance admin compares the change and approves it", async ({ browser }) => {
  const reviewer = await newPage(browser);
  await signInWithMfa(reviewer, "rachel.green");
  await reviewer.goto("/admin/content");
  await reviewer
    .getByRole("region", { name: "Waiting for approval" })
    .getByRole("link", { name: "Insider risk" })
    .click();
  await expect(reviewer.getByText("“Sharper first question.”")).toBeVisible();
  await reviewer.getByRole("link", { name: "Compare with what is published" }).click();
  await expect(reviewer.getByRole("heading", { level: 1 })).toHaveText("Compare: Current → Submitted version");
  const bankCard = reviewer.getByRole("region", { name: `courses/${COURSE}/questions.yaml` });
  await expect(bankCard.getByText("Changed", { exact: true })).toBeVisible();
  await expect(bankCard.locator("td", { hasText: NEW_PROMPT })).toBeVisible();
  await expect(bankCard.locator("td", { hasText: OLD_PROMPT })).toBeVisible();
  await expectNoAxeViolations(reviewer);
  await shoot(reviewer, "content-compare");

  await reviewer.getByRole("link", { name: `Back to ${COURSE}` }).click();
  await reviewer.getByRole("button", { name: "Approve and publish" }).click();
  await expect(reviewer.getByText(/Published as version 2\.0\.0\./)).toBeVisible();
  const versions = reviewer.getByRole("table", { name: "Versions" });
  await expect(versions.getByRole("row", { name: /2\.0\.0/ })).toContainText("Published by Rachel Green");
  await expect(versions.getByRole("row", { name: /2\.0\.0/ })).toContainText("Sharper first question.");
});

test("the learner certified in the old version is asked to take the new one", async ({ browser }) => {
  const learner = await newPage(browser);
  await signInWithMfa(learner, LEARNER);
  await learner.goto("/dashboard");
  const item = learner.getByRole("link", { name: "Take the new version of “Insider risk”" });
  await expect(item).toBeVisible();
  await shoot(learner, "content-learner-recertify");
  await item.click();
  await expect(learner.getByRole("heading", { name: "Insider risk", level: 1 })).toBeVisible();
});

test("the organisation's content is exported as a ZIP, and comes back in as a draft (and a broken file is refused)", async ({
  browser,
}) => {
  const admin = await newPage(browser);
  await signInWithMfa(admin, "carmen.diaz");
  await admin.goto("/admin/content");
  const [download] = await Promise.all([
    admin.waitForEvent("download"),
    admin.getByRole("link", { name: "Export your content (ZIP)" }).click(),
  ]);
  const exported = readFileSync(await download.path());
  const entries = new Map(readZip(exported).map((e) => [e.path, e.content.toString("utf8")]));
  expect(entries.get(`courses/${COURSE}/course.yaml`)).toMatch(/^version: 2\.0\.0$/m);
  expect(entries.get(`courses/${COURSE}/questions.yaml`)).toContain(NEW_PROMPT);

  const upload = async (bytes: Buffer, name: string) => {
    await admin
      .getByLabel("ZIP file (at most 25 MB)")
      .setInputFiles({ name, mimeType: "application/zip", buffer: bytes });
    await admin.getByRole("button", { name: "Import as drafts" }).click();
  };
  const broken = zip(
    [...entries].map(([name, data]) => ({
      name,
      data: name.endsWith("course.yaml") ? data.replace(/^passMark: .*$/m, "passMark: 120") : data,
    })),
  );
  await upload(broken, "broken.zip");
  const problems = admin.getByRole("alert").filter({ hasText: "Nothing was imported" });
  // Named by file and line, then field.
  await expect(problems).toContainText(new RegExp(`courses/${COURSE}/course\\.yaml:\\d+`));
  await expect(problems).toContainText("passMark");

  await upload(exported, "content.zip");
  await expect(admin.getByText(/Imported 1 item as drafts/)).toBeVisible();
  await admin.getByRole("link", { name: COURSE, exact: true }).click();
  await expect(admin).toHaveURL(new RegExp(`/admin/content/course/${COURSE}/draft$`));
  admin.once("dialog", (dialog) => void dialog.accept());
  await admin.getByRole("button", { name: "Discard draft" }).click();
  await expect(admin).toHaveURL(new RegExp(`/admin/content/course/${COURSE}$`));
  await expect(admin.getByRole("table", { name: "Versions" }).getByText("Discarded")).toBeVisible();
});
