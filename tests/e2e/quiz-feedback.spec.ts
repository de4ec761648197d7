import { expect, test } from "@playwright/test";

import { alertOf, answerQuiz, courseById, expectNoAxeViolations, readAllLessons, shoot, signIn } from "./helpers";

// A person no other spec uses, on a course whose rule keeps the correct options back until a pass.
const LEARNER = "ivan.horvat";
const COURSE_ID = "confidentiality-acceptable-use";
const course = courseById(COURSE_ID);

test("after a failed attempt the learner sees each answer marked with its explanation but not the correct options; after a pass, those too", async ({
  page,
}) => {
  test.setTimeout(120_000);
  expect(course.revealAnswers).toBe("after_pass");
  await signIn(page, LEARNER);
  await expect(page).toHaveURL(/\/dashboard/);
  await readAllLessons(page, COURSE_ID);
  await page.getByRole("button", { name: "Take the quiz" }).click();
  await answerQuiz(page, COURSE_ID, false);
  await page.getByRole("button", { name: "Submit answers" }).click();

  const result = alertOf(page);
  await expect(result).toContainText("Not passed — 0%");
  await expect(result).toContainText(`0 of ${course.questionsPerAttempt} right; pass mark ${course.passMark}%`);
  await expect(result).toContainText(
    `${course.attemptLimit - 1} attempts left before a ${course.cooldownHours}-hour wait`,
  );
  const answers = page
    .getByRole("list")
    .filter({ has: page.getByText("Why:") })
    .first()
    .locator("> li");
  await expect(answers).toHaveCount(course.questionsPerAttempt);
  await expect(page.getByText("Wrong", { exact: true })).toHaveCount(course.questionsPerAttempt);
  await expect(page.getByText("Why:")).toHaveCount(course.questionsPerAttempt);
  await expect(page.getByText("(your answer)").first()).toBeVisible();
  // Neither marked nor hidden in the page: the correct options are simply not sent.
  await expect(page.getByText("(right answer)")).toHaveCount(0);
  expect(await page.content()).not.toContain("(right answer)");
  await expectNoAxeViolations(page);
  await shoot(page, "quiz-failed");

  await page.getByRole("link", { name: "Back to the course" }).click();
  await page.getByRole("button", { name: /(Retake|Take) the quiz/ }).click();
  await answerQuiz(page, COURSE_ID, true);
  await page.getByRole("button", { name: "Submit answers" }).click();
  await expect(page.getByText("Passed — 100%")).toBeVisible();
  await expect(page.getByText(`You are certified for ${course.title}.`)).toBeVisible();
  await expect(page.getByText("Right", { exact: true })).toHaveCount(course.questionsPerAttempt);
  await expect(page.getByText("(right answer)").first()).toBeVisible();
  await expectNoAxeViolations(page);
  await shoot(page, "quiz-passed");
});
