import { readFileSync } from "node:fs";

import { expect, test, type Browser, type Page } from "@playwright/test";

import { loadContent } from "../../lib/content/load";
import { readZip } from "../../lib/evidence/zip-reader";
import { zip } from "../../lib/privacy/zip";
import { cleanDeskPackage, twoScoPackage, type ScormEdition } from "../helpers/scorm-fixtures";
import { email, expectNoAxeViolations, shoot, signIn, signInWithMfa } from "./helpers";

/**
 * Training an organisation already owns, as SCORM packages: a compliance admin
 * uploads a SCORM 1.2 and a SCORM 2004 package as courses for one learner;
 * the learner plays each in Clearance, leaves part-way and resumes on another
 * device, fails one and passes on a second run, and is certified by the
 * package's result.
 */

const LEARNER = "grace.obi";
const COURSES: { id: string; title: string; edition: ScormEdition; standard: string }[] = [
  { id: "clean-desk-scorm12", title: "Clean desk (SCORM 1.2)", edition: "1.2", standard: "SCORM 1.2" },
  {
    id: "clean-desk-scorm2004",
    title: "Clean desk (SCORM 2004)",
    edition: "2004 4th Edition",
    standard: "SCORM 2004 4th Edition",
  },
];

test.describe.configure({ mode: "serial" });

/** Opens a new course's draft, published by the admin who submits it (another journey may have asked for approval). */
async function newCourseDraft(admin: Page, course: { id: string; title: string }) {
  await admin.goto("/admin/content");
  const approval = admin.locator("form", { hasText: "Courses:" });
  if (await approval.getByRole("button", { name: "Stop requiring approval" }).isVisible())
    await approval.getByRole("button", { name: "Stop requiring approval" }).click();
  await expect(approval.getByRole("button", { name: "Require approval" })).toBeVisible();
  await admin.getByLabel("Title").fill(course.title);
  await admin.getByLabel("Id").fill(course.id);
  await admin.getByRole("button", { name: "Create draft" }).click();
  await expect(admin).toHaveURL(new RegExp(`/admin/content/course/${course.id}/draft$`));
}

const packageInput = (admin: Page) => admin.getByLabel(/^SCORM package \(\.zip, at most \d+ MB\)$/);

async function uploadPackage(admin: Page, name: string, zip: Buffer) {
  await packageInput(admin).setInputFiles({ name, mimeType: "application/zip", buffer: zip });
  await admin.getByRole("button", { name: "Upload the package" }).click();
}

/** Assigns the draft's course to the learner alone, then publishes it; `beforePublish` looks at the draft first. */
async function assignToLearnerAndPublish(admin: Page, courseId: string, beforePublish?: () => Promise<void>) {
  await admin
    .getByRole("navigation", { name: "Files of this draft" })
    .getByRole("button", { name: "Settings" })
    .click();
  await expect(admin.getByLabel("Pass mark (%)")).toHaveCount(0);
  await admin.getByLabel("Everyone").uncheck();
  await admin.getByLabel("Named people").fill(email(LEARNER));
  await expect(admin.getByText("Who will be assigned: 1 person")).toBeVisible();
  await admin.getByRole("button", { name: "Save draft" }).click();
  await expect(admin.getByText("Saved.", { exact: true })).toBeVisible();
  await expect(admin.getByRole("heading", { name: "No problems: ready to publish" })).toBeVisible();
  await beforePublish?.();
  await admin.getByRole("button", { name: "Publish now" }).click();
  await expect(admin).toHaveURL(new RegExp(`/admin/content/course/${courseId}\\?published=1\\.0\\.0$`));
}

async function learnerPage(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, LEARNER);
  await expect(page).toHaveURL(/\/dashboard/);
  return page;
}

for (const course of COURSES) {
  test(`a compliance admin makes a course of a ${course.standard} package for one learner`, async ({ browser }) => {
    const admin = await (await browser.newContext()).newPage();
    await signInWithMfa(admin, "carmen.diaz");
    await newCourseDraft(admin, course);

    // Not a package: refused, with the reason, and the draft keeps its lessons.
    await uploadPackage(admin, "notes.zip", Buffer.from("not a zip"));
    await expect(admin.getByRole("alert").filter({ hasText: "The file is not a ZIP that can be read" })).toBeVisible();
    await expect(admin.getByRole("button", { name: /Lesson 1/ })).toBeVisible();

    await uploadPackage(admin, `${course.id}.zip`, cleanDeskPackage(course.edition, { title: course.title }));
    const card = admin.getByRole("region", { name: "SCORM package" });
    await expect(card.getByText(course.standard, { exact: true })).toBeVisible();
    await expect(card.getByText("4 files", { exact: false })).toBeVisible();
    await expect(admin.getByRole("button", { name: /Lesson 1/ })).toHaveCount(0);
    await expect(card.getByRole("button", { name: "Replace the package" })).toBeVisible();

    // Only the learner: not everyone.
    await assignToLearnerAndPublish(admin, course.id, async () => {
      await expectNoAxeViolations(admin);
      if (course.edition === "1.2") await shoot(admin, "scorm-draft");
    });
  });
}

test("the learner leaves a SCORM 1.2 course part-way, resumes on another device and is certified", async ({
  browser,
}) => {
  const [course] = COURSES;
  const laptop = await learnerPage(browser);
  await laptop.goto("/courses");
  await expect(laptop.getByRole("heading", { name: course.title })).toBeVisible();
  await laptop.goto(`/courses/${course.id}`);
  await expectNoAxeViolations(laptop);
  await laptop.getByRole("button", { name: "Start the course" }).click();
  await expect(laptop).toHaveURL(new RegExp(`/courses/${course.id}/play/[0-9a-f-]{36}$`));
  const sco = laptop.frameLocator(`iframe[title="${course.title}"]`);
  await expect(sco.getByText("Welcome, Obi, Grace.")).toBeVisible();
  await expectNoAxeViolations(laptop);
  await shoot(laptop, "scorm-player");

  // The package's files are served under its own policy: framed only by Clearance, talking to nobody else.
  const src = (await laptop.locator(`iframe[title="${course.title}"]`).getAttribute("src"))!;
  const file = await laptop.request.get(src);
  expect(file.headers()["content-security-policy"]).toContain("frame-ancestors 'self'");
  expect(file.headers()["content-security-policy"]).toContain("connect-src 'self'");
  expect(file.headers()["x-frame-options"]).toBe("SAMEORIGIN");
  expect((await laptop.request.get(src.replace("index.html", "../../etc/passwd"))).status()).toBe(404);

  await sco.getByLabel("Take it to its owner or shred it").check();
  await sco.getByRole("button", { name: "Save for later" }).click();
  await expect(sco.getByText("Saved. You can close this course and come back later.")).toBeVisible();
  await expect(laptop.getByRole("status").filter({ hasText: /^Progress saved at/ })).toBeVisible();
  await laptop.context().close();

  const phone = await learnerPage(browser);
  await phone.goto(`/courses/${course.id}`);
  await phone.getByRole("link", { name: "Continue where you left off" }).click();
  const resumed = phone.frameLocator(`iframe[title="${course.title}"]`);
  await expect(resumed.getByText("Welcome back, Obi, Grace.")).toBeVisible();
  await expect(resumed.getByLabel("Take it to its owner or shred it")).toBeChecked();
  await resumed.getByRole("button", { name: "Submit my answer" }).click();
  await expect(resumed.getByText("Correct: you passed.")).toBeVisible();
  await expect(phone.getByText("You passed. Your certification is issued.")).toBeVisible();
  await phone.getByRole("link", { name: "Back to the course" }).click();
  await expect(phone.getByRole("link", { name: "Download certificate (PDF)" })).toBeVisible();
  await expect(phone.getByText("100% passed")).toBeVisible();
  await expectNoAxeViolations(phone);
  await shoot(phone, "scorm-course-certified");
});

test("the learner fails a SCORM 2004 course, is not certified, and passes on a second run", async ({ browser }) => {
  const course = COURSES[1];
  const page = await learnerPage(browser);
  await page.goto(`/courses/${course.id}`);
  await page.getByRole("button", { name: "Start the course" }).click();
  const sco = page.frameLocator(`iframe[title="${course.title}"]`);
  await expect(sco.getByText("Welcome, Grace Obi.")).toBeVisible();
  await sco.getByLabel("Leave it there for its owner").check();
  await sco.getByRole("button", { name: "Submit my answer" }).click();
  await expect(page.getByText("The package reports that you did not pass this time.")).toBeVisible();
  await page.getByRole("link", { name: "Back to the course" }).click();
  await expect(page.getByText("0% failed")).toBeVisible();
  await expect(page.getByText("Not certified yet.", { exact: false })).toBeVisible();

  await page.getByRole("button", { name: "Start again" }).click();
  const again = page.frameLocator(`iframe[title="${course.title}"]`);
  await expect(again.getByText("Welcome, Grace Obi.")).toBeVisible();
  await expect(again.getByLabel("Leave it there for its owner")).not.toBeChecked();
  await again.getByLabel("Take it to its owner or shred it").check();
  await again.getByRole("button", { name: "Submit my answer" }).click();
  await expect(page.getByText("You passed. Your certification is issued.")).toBeVisible();
  await page.getByRole("link", { name: "Back to the course" }).click();
  await expect(page.getByRole("link", { name: "Download certificate (PDF)" })).toBeVisible();
});

test("a course exported as SCORM 1.2 plays back as a package course and certifies", async ({ browser }) => {
  const admin = await (await browser.newContext()).newPage();
  await signInWithMfa(admin, "carmen.diaz");
  await admin.goto("/admin/content/course/incident-reporting");
  await expectNoAxeViolations(admin);
  const [download] = await Promise.all([
    admin.waitForEvent("download"),
    admin.getByRole("link", { name: "Export as SCORM 1.2 (.zip)" }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^incident-reporting-\d+\.\d+\.\d+-scorm12\.zip$/);
  const exported = readFileSync((await download.path())!);
  const course = { id: "incident-reporting-lms", title: "Incident reporting (as exported)" };
  await newCourseDraft(admin, course);
  await uploadPackage(admin, `${course.id}.zip`, exported);
  await expect(admin.getByRole("button", { name: "Replace the package" })).toBeVisible();
  await assignToLearnerAndPublish(admin, course.id);

  const shipped = loadContent().courses.find((c) => c.id === "incident-reporting")!;
  const page = await learnerPage(browser);
  await page.goto(`/courses/${course.id}`);
  await page.getByRole("button", { name: "Start the course" }).click();
  const sco = page.frameLocator(`iframe[title="${shipped.title}"]`);
  for (const [i, lesson] of shipped.lessons.entries()) {
    await expect(
      sco.getByRole("heading", { name: `Lesson ${i + 1} of ${shipped.lessons.length}: ${lesson.title}` }),
    ).toBeVisible();
    await sco
      .locator(`#lesson-${i + 1}`)
      .getByRole("button", { name: i + 1 < shipped.lessons.length ? "Next lesson" : "Go to the quiz" })
      .click();
  }
  const questions = sco.locator("fieldset[data-question]");
  await expect(questions).toHaveCount(shipped.questionsPerAttempt);
  for (let i = 0; i < shipped.questionsPerAttempt; i++) {
    const fieldset = questions.nth(i);
    const id = await fieldset.getAttribute("data-question");
    const q = shipped.questions.find((x) => x.id === id)!;
    const right =
      q.type === "true_false" ? [q.answer ? "True" : "False"] : q.options.filter((o) => o.correct).map((o) => o.text);
    for (const text of right) await fieldset.getByLabel(text, { exact: true }).check();
  }
  await sco.getByRole("button", { name: "Submit answers" }).click();
  await expect(sco.getByText("You scored 100%: passed.")).toBeVisible();
  await expect(page.getByText("You passed. Your certification is issued.")).toBeVisible();
  await page.getByRole("link", { name: "Back to the course" }).click();
  await expect(page.getByRole("link", { name: "Download certificate (PDF)" })).toBeVisible();
});

/** A ZIP's files, to build a larger package from a small one. */
const readZipEntries = (archive: Buffer) =>
  readZip(archive, { maxEntries: 100, maxBytes: 10_000_000 }).map((e) => ({ name: e.path, data: e.content }));

test("a package larger than the proxy would buffer uploads whole", async ({ browser, baseURL }) => {
  const admin = await (await browser.newContext()).newPage();
  await signInWithMfa(admin, "carmen.diaz");
  const course = { id: "clean-desk-video", title: "Clean desk (with a video)" };
  await newCourseDraft(admin, course);
  // 12 MB that do not compress: a request cut short at 10 MB would not be a ZIP that can be read.
  const video = new Uint8Array(12_000_000);
  for (let i = 0; i < video.length; i += 65_536)
    crypto.getRandomValues(video.subarray(i, Math.min(video.length, i + 65_536)));
  const base = readZipEntries(cleanDeskPackage("1.2", { title: course.title }));
  const archive = zip([...base, { name: "media/walkthrough.mp4", data: video }]);
  const answer = await admin.request.post(`/admin/content/course/${course.id}/package`, {
    headers: { Origin: baseURL!, "Content-Type": "application/zip" },
    data: archive,
  });
  expect(answer.status()).toBe(201);
  expect(await answer.json()).toMatchObject({ version: "1.2", files: 5 });
});

test("a package of two SCOs: the learner moves between parts, each resumes where it was left, and both passed certify", async ({
  browser,
}) => {
  const admin = await (await browser.newContext()).newPage();
  await signInWithMfa(admin, "carmen.diaz");
  const course = { id: "desk-and-screen", title: "Desk and screen" };
  await newCourseDraft(admin, course);
  await uploadPackage(admin, `${course.id}.zip`, twoScoPackage());
  await expect(
    admin.getByRole("region", { name: "SCORM package" }).getByText("7 files", { exact: false }),
  ).toBeVisible();
  await assignToLearnerAndPublish(admin, course.id);

  const page = await learnerPage(browser);
  await page.goto(`/courses/${course.id}`);
  await page.getByRole("button", { name: "Start the course" }).click();
  const parts = page.getByRole("navigation", { name: "Parts of the course" });
  await expect(parts.getByRole("button", { name: "1. Clean desk" })).toHaveAttribute("aria-current", "step");
  const desk = page.frameLocator('iframe[title="Clean desk"]');
  await expect(desk.getByText(/^Welcome, /)).toBeVisible();
  await desk.getByLabel("Take it to its owner or shred it").check();
  await desk.getByRole("button", { name: "Save for later" }).click();
  await expect(desk.getByText("Saved. You can close this course and come back later.")).toBeVisible();

  // A look at part 2, then back to part 1 in the same visit: it resumes from what it saved, not from the page's copy.
  await parts.getByRole("button", { name: "2. Locked screen" }).click();
  const screen = page.frameLocator('iframe[title="Locked screen"]');
  await expect(screen.getByText(/^Welcome, /)).toBeVisible();
  await parts.getByRole("button", { name: "1. Clean desk" }).click();
  await expect(desk.getByText(/^Welcome back, /)).toBeVisible();
  await expect(desk.getByLabel("Take it to its owner or shred it")).toBeChecked();
  await desk.getByRole("button", { name: "Submit my answer" }).click();
  await expect(desk.getByText("Correct: you passed.")).toBeVisible();
  // One part passed: not certified yet, and the player points on to the part left.
  await expect(parts.getByRole("button", { name: /1\. Clean desk\s*Done/ })).toBeVisible();
  await expect(page.getByText("You passed. Your certification is issued.")).toHaveCount(0);
  await expect(page.getByText("This part is done.", { exact: false })).toBeVisible();
  await expectNoAxeViolations(page);

  await page.getByRole("button", { name: "Go on with 2. Locked screen" }).click();
  await expect(parts.getByRole("button", { name: "2. Locked screen" })).toHaveAttribute("aria-current", "step");
  await screen.getByLabel("Take it to its owner or shred it").check();
  await screen.getByRole("button", { name: "Submit my answer" }).click();
  await expect(page.getByText("You passed. Your certification is issued.")).toBeVisible();
  await expect(page.getByRole("button", { name: /^Go on with/ })).toHaveCount(0);
  await page.getByRole("link", { name: "Back to the course" }).click();
  await expect(page.getByRole("link", { name: "Download certificate (PDF)" })).toBeVisible();
});
