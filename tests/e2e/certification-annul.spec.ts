import { expect, test } from "@playwright/test";

import { completeCourse, courseById, email, expectNoAxeViolations, shoot, signIn, signInWithMfa } from "./helpers";

// Ingrid (Procurement) is in no other spec: she earns a certificate, which a compliance admin then annuls.
const HOLDER = "ingrid.solberg";
const COURSE_ID = "third-party-sharing";
const course = courseById(COURSE_ID);
const REASON = "Answers to the quiz were shared between colleagues.";

test("a compliance admin annuls a certification: it verifies as annulled and the holder is told", async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  await signIn(page, HOLDER);
  await expect(page).toHaveURL(/\/dashboard/);
  await completeCourse(page, COURSE_ID);

  const admin = await (await browser.newContext()).newPage();
  await signInWithMfa(admin, "carmen.diaz");
  await admin.goto(`/admin/people?q=${HOLDER}`);
  await admin.getByRole("link", { name: "Ingrid Solberg" }).click();
  const certificationsCard = admin.getByRole("region", { name: "Certifications" });
  const row = certificationsCard.getByRole("row", { name: new RegExp(course.title) });
  await expect(row).toContainText(/Valid until/);
  await expectNoAxeViolations(admin);

  // A reason is required, and too short a one is refused beside its field.
  await row.locator("summary").click();
  const reason = row.getByLabel(/Reason/);
  await reason.fill("too short");
  await reason.evaluate((el) => el.removeAttribute("minlength"));
  await row.getByRole("button", { name: /^Annul the / }).click();
  await expect(row.getByText(/at least 10 characters/)).toBeVisible();
  await expect(reason).toHaveAttribute("aria-invalid", "true");
  await expectNoAxeViolations(admin);
  await reason.fill(REASON);
  await row.getByRole("button", { name: /^Annul the / }).click();
  await expect(certificationsCard.getByRole("status")).toContainText(
    `Ingrid Solberg's certification in ${course.title} is annulled.`,
  );
  await admin.reload();
  await expect(row.getByText(/^Annulled /)).toBeVisible();
  await expect(row.getByText(REASON)).toBeVisible();
  await shoot(admin, "certification-annulled");

  // Anyone with the code learns it is annulled, and nothing of why.
  await admin.goto(`/admin/people?q=${HOLDER}`);
  const personId = (await admin
    .locator(`tr[data-email="${email(HOLDER)}"] a`)
    .first()
    .getAttribute("href"))!.split("/")[3];
  await admin.goto(`/people/${personId}`);
  const history = admin.getByRole("table", { name: /Certification history/ });
  const code = (
    await history
      .getByRole("row", { name: new RegExp(course.title) })
      .locator("td.font-mono")
      .innerText()
  )
    .trim()
    .replace(/\s/g, "");
  await expect(history.getByText("Annulled", { exact: true })).toBeVisible();
  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto(`/verify?code=${code}`);
  await expect(visitor.getByRole("status")).toContainText("Annulled by the organisation");
  await expect(visitor.getByRole("status")).not.toContainText("shared");
  await expectNoAxeViolations(visitor);

  // The holder reads why in her notifications, and her certificate file is no longer made.
  await page.goto("/notifications");
  await page.getByRole("link", { name: new RegExp(`Your ${course.title} certification was annulled`) }).click();
  await expect(page.getByText(REASON)).toBeVisible();
});
