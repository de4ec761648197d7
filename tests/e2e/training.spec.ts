import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { loadContent } from "../../lib/content/load";
import { alertOf, expectNoAxeViolations, signIn } from "./helpers";

const COURSE_ID = "confidentiality-acceptable-use";
const course = loadContent(path.resolve("content")).courses.find((c) => c.id === COURSE_ID)!;

/** Answers every question on the page using the bank on disk: right or wrong. */
async function answerQuiz(page: Page, right: boolean) {
  const fieldsets = page.locator("fieldset");
  const count = await fieldsets.count();
  expect(count).toBe(course.questionsPerAttempt);
  for (let i = 0; i < count; i++) {
    const fieldset = fieldsets.nth(i);
    const prompt = (await fieldset.locator("p").nth(1).innerText()).trim();
    const question = course.questions.find((q) => q.prompt.trim() === prompt)!;
    expect(question, prompt).toBeTruthy();
    if (question.type === "true_false") {
      const label = (question.answer === right) ? "True" : "False";
      await fieldset.getByLabel(label, { exact: true }).check();
      continue;
    }
    const chosen = question.options.filter((o) => Boolean(o.correct) === right);
    for (const option of question.type === "single" ? chosen.slice(0, 1) : chosen) {
      await fieldset.getByLabel(option.text, { exact: true }).check();
    }
  }
}

async function readAllLessons(page: Page) {
  await page.goto(`/courses/${COURSE_ID}`);
  await page.getByRole("link", { name: "Start the course" }).click();
  let previous = -1;
  for (let i = 0; i < course.lessons.length; i++) {
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(course.lessons[i].title);
    const value = Number(await page.getByRole("progressbar").getAttribute("aria-valuenow"));
    expect(value).toBeGreaterThan(previous);
    previous = value;
    const last = i === course.lessons.length - 1;
    await page.getByRole("button", { name: last ? "Finish the last lesson" : "Mark as read and continue →" }).click();
    if (!last) await expect(page.getByRole("heading", { level: 1 })).toHaveText(course.lessons[i + 1].title);
  }
  await expect(page).toHaveURL(new RegExp(`/courses/${COURSE_ID}\\?read=1`));
  await expect(page.getByRole("progressbar", { name: "Course progress: 100%" })).toBeVisible();
}

test("an employee reads a course, fails, sees feedback, retakes, passes, downloads the certificate and verifies it", async ({ page }) => {
  await signIn(page, "mei.chen");
  await expect(page).toHaveURL(/\/dashboard/);
  await expect(page.getByRole("link", { name: course.title })).toBeVisible();
  await expectNoAxeViolations(page);

  await readAllLessons(page);
  await expectNoAxeViolations(page);

  // What the browser receives for the quiz never holds the answers or explanations.
  const bodies: string[] = [];
  page.on("response", async (response) => {
    if (response.url().includes(`/courses/${COURSE_ID}`)) bodies.push(await response.text().catch(() => ""));
  });
  await page.getByRole("button", { name: "Take the quiz" }).click();
  await expect(page.getByRole("button", { name: "Submit answers" })).toBeVisible();
  await expectNoAxeViolations(page);
  const received = bodies.join("\n") + (await page.content());
  for (const q of course.questions) expect(received).not.toContain(q.explanation.slice(0, 60));
  expect(received).not.toMatch(/"correct":/);

  await answerQuiz(page, false);
  await page.getByRole("button", { name: "Submit answers" }).click();
  await expect(alertOf(page)).toContainText("Not passed — 0%");
  await expect(page.getByText("(right answer)").first()).toBeVisible();
  await expect(page.getByText("Why:").first()).toBeVisible();

  await page.getByRole("link", { name: "Back to the course" }).click();
  await page.getByRole("button", { name: "Retake the quiz" }).or(page.getByRole("button", { name: "Take the quiz" })).click();
  await answerQuiz(page, true);
  await page.getByRole("button", { name: "Submit answers" }).click();
  await expect(page.getByText("Passed — 100%")).toBeVisible();

  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download certificate (PDF)" }).click();
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "cert-")), "certificate.pdf");
  await (await download).saveAs(file);
  const text = execFileSync("pdftotext", [file, "-"], { encoding: "utf8" });
  expect(text).toContain("Mei Chen");
  expect(text).toContain(course.title);
  const code = text.match(/[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}/)?.[0];
  expect(code).toBeTruthy();

  await page.goto("/dashboard");
  await expect(page.getByRole("heading", { name: "Your certifications" })).toBeVisible();

  const visitor = await page.context().browser()!.newPage();
  await visitor.goto("/verify");
  await visitor.getByLabel("Verification code").fill(code!.toLowerCase());
  await visitor.getByRole("button", { name: "Verify" }).click();
  await expect(visitor.getByRole("status")).toContainText("Valid");
  await expect(visitor.getByRole("status")).toContainText("Mei Chen");
  await expect(visitor.getByRole("status")).not.toContainText("@");
  await expectNoAxeViolations(visitor);
  await visitor.getByLabel("Verification code").fill("ZZZZ-ZZZZ-ZZZZ");
  await visitor.getByRole("button", { name: "Verify" }).click();
  await expect(visitor.getByRole("status")).toContainText("Unknown code");
});

test("after three failed attempts the quiz is locked with a clear message", async ({ page }) => {
  await signIn(page, "ben.carter");
  await readAllLessons(page);
  for (let i = 0; i < 3; i++) {
    await page.getByRole("button", { name: "Take the quiz" }).click();
    await answerQuiz(page, false);
    await page.getByRole("button", { name: "Submit answers" }).click();
    await expect(alertOf(page)).toContainText("Not passed");
    await page.getByRole("link", { name: "Back to the course" }).click();
  }
  await expect(page.getByRole("status").filter({ hasText: "You have used all 3 attempts" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Take the quiz" })).toHaveCount(0);
});
