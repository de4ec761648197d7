import { expect, test } from "@playwright/test";

import { completeCourse, courseById, expectNoAxeViolations, signIn } from "./helpers";

const COURSE_ID = "secure-development";
const course = courseById(COURSE_ID);

test("an engineer finds the secure-development course assigned, reads every lesson, passes the quiz and holds the certification", async ({
  page,
}) => {
  await signIn(page, "yuki.tanaka");
  await expect(page).toHaveURL(/\/dashboard/);
  // Assigned by department: engineering gets it and privacy by design; the payment-card course is for its role only.
  await expect(page.getByRole("link", { name: course.title })).toBeVisible();
  await expect(page.getByRole("link", { name: courseById("privacy-by-design").title })).toBeVisible();
  await expect(page.getByRole("link", { name: courseById("payment-card-data").title })).toHaveCount(0);

  await page.goto(`/courses/${COURSE_ID}`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(course.title);
  for (const lesson of course.lessons) await expect(page.getByText(lesson.title).first()).toBeVisible();
  await expectNoAxeViolations(page);

  await completeCourse(page, COURSE_ID);
  await expect(page.getByRole("link", { name: "Download certificate (PDF)" })).toBeVisible();
  await expectNoAxeViolations(page);

  await page.goto("/dashboard");
  const certifications = page.locator("section", {
    has: page.getByRole("heading", { name: "Your certifications" }),
  });
  await expect(certifications.getByRole("link", { name: course.title })).toBeVisible();
});
