import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { expect, test } from "@playwright/test";

import { loadContent } from "../../lib/content/load";
import { alertOf, answerQuiz, expectNoAxeViolations, readAllLessons, signIn } from "./helpers";

const COURSE_ID = "confidentiality-acceptable-use";
const course = loadContent(path.resolve("content")).courses.find((c) => c.id === COURSE_ID)!;

test("an employee reads a course, fails, sees feedback, retakes, passes, downloads the certificate and verifies it", async ({
  page,
}) => {
  await signIn(page, "mei.chen");
  await expect(page).toHaveURL(/\/dashboard/);
  await expect(page.getByRole("link", { name: course.title })).toBeVisible();
  await expectNoAxeViolations(page);

  await readAllLessons(page, COURSE_ID);
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

  await answerQuiz(page, COURSE_ID, false);
  await page.getByRole("button", { name: "Submit answers" }).click();
  await expect(alertOf(page)).toContainText("Not passed — 0%");
  // The course keeps the correct options back until a pass; each answer's explanation is shown.
  await expect(page.getByText("(right answer)")).toHaveCount(0);
  await expect(page.getByText("Why:").first()).toBeVisible();

  await page.getByRole("link", { name: "Back to the course" }).click();
  await page
    .getByRole("button", { name: "Retake the quiz" })
    .or(page.getByRole("button", { name: "Take the quiz" }))
    .click();
  await answerQuiz(page, COURSE_ID, true);
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

  const visitor = await (await page.context().browser()!.newContext()).newPage();
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
  await expect(page).toHaveURL(/\/dashboard/);
  await readAllLessons(page, COURSE_ID);
  for (let i = 0; i < 3; i++) {
    await page.getByRole("button", { name: "Take the quiz" }).click();
    await answerQuiz(page, COURSE_ID, false);
    await page.getByRole("button", { name: "Submit answers" }).click();
    await expect(alertOf(page)).toContainText("Not passed");
    await page.getByRole("link", { name: "Back to the course" }).click();
  }
  await expect(page.getByRole("status").filter({ hasText: "You have used all 3 attempts" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Take the quiz" })).toHaveCount(0);
});
