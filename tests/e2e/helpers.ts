import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

import { loadContent } from "../../lib/content/load";
import { stepAt, totpAt } from "../../lib/crypto/totp";
import { codeFromConsentPdf } from "../helpers/consent-code";

export const DEMO_PASSWORD = "Clearance-demo-2026";
export const email = (key: string) => `${key}@brightline.example`;

export async function signIn(page: Page, key: string, password = DEMO_PASSWORD) {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(email(key));
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page.getByText("You have signed out.")).toBeVisible();
}

/** A code for the next 30-second step: inside the ±1 tolerance, and never a replay of the last one used. */
export function nextCode(secret: string, offset = 1): string {
  return totpAt(secret, stepAt(new Date()) + offset);
}

/** Enrols MFA on the page the person was sent to; returns the secret and the recovery codes. */
export async function enrolMfa(page: Page): Promise<{ secret: string; recoveryCodes: string[] }> {
  await expect(page).toHaveURL(/\/account\/mfa/);
  const secret = (await page.getByTestId("mfa-secret").getAttribute("data-secret"))!;
  await page.getByLabel("6-digit code from your app").fill(totpAt(secret, stepAt(new Date())));
  await page.getByRole("button", { name: "Turn on two-factor authentication" }).click();
  await expect(page.getByText("Two-factor authentication is on.")).toBeVisible();
  const recoveryCodes = await page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem").allInnerTexts();
  return { secret, recoveryCodes };
}

export async function expectNoAxeViolations(page: Page) {
  // The title is streamed with the page's metadata and re-set on client navigations: wait until the page has one (a page without any still fails here).
  await expect(page).toHaveTitle(/\S/);
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}

/** The page's own alert, not Next's empty route announcer (which also has role=alert). */
export function alertOf(page: Page) {
  return page.locator('[role="alert"]:not(#__next-route-announcer__)');
}

// Several spec files sign in as the same MFA-protected demo accounts. The secrets
// enrolled in this run live in the e2e server's fresh data directory, so they
// never outlive the database they belong to.
const SECRETS_FILE = path.resolve(".data-e2e", "e2e-mfa-secrets.json");
type SecretBook = Record<string, { secret: string; lastStep: number }>;
const readBook = (): SecretBook => (existsSync(SECRETS_FILE) ? JSON.parse(readFileSync(SECRETS_FILE, "utf8")) : {});
const writeBook = (book: SecretBook) => writeFileSync(SECRETS_FILE, JSON.stringify(book));

/** A TOTP code this account has not used yet (waits for the next step when needed). */
async function unusedCode(key: string): Promise<string> {
  const book = readBook();
  const entry = book[key];
  if (!entry)
    throw new Error(`${key} has MFA on but its secret was not recorded: enrol it with signInWithMfa, not enrolMfa.`);
  let step = Math.max(entry.lastStep + 1, stepAt(new Date()) - 1);
  while (step > stepAt(new Date()) + 1) {
    await new Promise((r) => setTimeout(r, 1000));
    step = Math.max(entry.lastStep + 1, stepAt(new Date()) - 1);
  }
  book[key] = { ...entry, lastStep: step };
  writeBook(book);
  return totpAt(entry.secret, step);
}

/** Signs in an account that must use MFA, enrolling it the first time. */
export async function signInWithMfa(page: Page, key: string) {
  await signIn(page, key);
  const codeField = page.getByLabel("Authentication code");
  const outcome = await Promise.race([
    page.waitForURL(/\/account\/mfa/, { timeout: 20_000 }).then(() => "enrol" as const),
    codeField.waitFor({ timeout: 20_000 }).then(() => "code" as const),
  ]);
  if (outcome === "enrol") {
    const { secret } = await enrolMfa(page);
    const book = readBook();
    book[key] = { secret, lastStep: stepAt(new Date()) };
    writeBook(book);
    await page.goto("/dashboard");
    return;
  }
  await codeField.fill(await unusedCode(key));
  await page.getByRole("button", { name: "Verify and sign in" }).click();
  await expect(page).toHaveURL(/\/dashboard/);
}

const content = loadContent(path.resolve("content"));
export const courseById = (id: string) => content.courses.find((c) => c.id === id)!;

/** Reads every lesson of a course from its first page, checking the progress bar moves. */
export async function readAllLessons(page: Page, courseId: string) {
  const course = courseById(courseId);
  await page.goto(`/courses/${courseId}`);
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
  await expect(page).toHaveURL(new RegExp(`/courses/${courseId}\\?read=1`));
  await expect(page.getByRole("progressbar", { name: "Course progress: 100%" })).toBeVisible();
}

/** Answers every question on the quiz page from the bank on disk, all right or all wrong. */
export async function answerQuiz(page: Page, courseId: string, right: boolean) {
  const course = courseById(courseId);
  const fieldsets = page.locator("fieldset");
  await expect(fieldsets.first()).toBeVisible();
  const count = await fieldsets.count();
  expect(count).toBe(course.questionsPerAttempt);
  for (let i = 0; i < count; i++) {
    const fieldset = fieldsets.nth(i);
    const prompt = (await fieldset.locator("p").nth(1).innerText()).trim();
    const question = course.questions.find((q) => q.prompt.trim() === prompt);
    expect(question, prompt).toBeTruthy();
    if (question!.type === "true_false") {
      await fieldset.getByLabel(question!.answer === right ? "True" : "False", { exact: true }).check();
      continue;
    }
    const chosen = question!.options.filter((o) => Boolean(o.correct) === right);
    for (const option of question!.type === "single" ? chosen.slice(0, 1) : chosen) {
      await fieldset.getByLabel(option.text, { exact: true }).check();
    }
  }
}

/** Reads a course and passes its quiz. */
export async function completeCourse(page: Page, courseId: string) {
  await readAllLessons(page, courseId);
  await page.getByRole("button", { name: "Take the quiz" }).click();
  await answerQuiz(page, courseId, true);
  await page.getByRole("button", { name: "Submit answers" }).click();
  await expect(page.getByText("Passed — 100%")).toBeVisible();
}

/**
 * Gives e-sign consent as a person does: ticks the box, opens the consent-check PDF, types its code and
 * continues to signing.
 */
export async function giveEsignConsent(page: Page) {
  await page.getByRole("checkbox").check();
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Open the consent-check PDF" }).click(),
  ]);
  await page.getByLabel("Code from the PDF").fill(codeFromConsentPdf(readFileSync(await download.path())));
  await page.getByRole("button", { name: "Continue to signing" }).click();
}

/** Signs the employee NDA with a password as the signed-in person; returns the signature's id. */
export async function signEmployeeNda(page: Page, legalName: string, password = DEMO_PASSWORD): Promise<string> {
  await page.goto("/agreements/employee-nda");
  await giveEsignConsent(page);
  await page.getByLabel("Your password").fill(password);
  await page.getByLabel("Type your full legal name").fill(legalName);
  await page.getByRole("button", { name: "Sign the agreement" }).click();
  await expect(page).toHaveURL(/signed=/);
  return new URL(page.url()).searchParams.get("signed")!;
}

/** Full-page screenshots at a phone's, a tablet's and a laptop's width, into test-results/screens/, for a look at the layout. */
export async function shoot(page: Page, name: string) {
  for (const width of [360, 768, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `test-results/screens/${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
}
