import { expect, test, type APIRequestContext } from "@playwright/test";

import { answerQuiz, expectNoAxeViolations, readAllLessons, signIn, signInWithMfa, signOut } from "./helpers";

/**
 * xAPI out, as an L&D administrator sees it: a learner's lessons, quiz and
 * certification reach the organisation's learning record store (the test
 * LRS from the global setup, which checks every statement against the xAPI
 * 1.0.3 rules; an admin connected it in lrs-connect.setup.ts), and the admin
 * sees on the Webhooks page where statements go and how sending them fares.
 */

// Elena only browses pages and signs the NDA elsewhere (authz.spec): her quiz result here is her only one.
const LEARNER = "elena.petrova";
const COURSE = "incident-reporting";
const lrsUrl = process.env.E2E_LRS_URL!;
const lrsHeaders = {
  Authorization: `Basic ${Buffer.from(`${process.env.E2E_LRS_USERNAME}:${process.env.E2E_LRS_PASSWORD}`).toString("base64")}`,
  "X-Experience-API-Version": "1.0.3",
};

type Statement = {
  actor: { account?: { homePage: string; name: string } };
  verb: { id: string };
  object: { id: string };
  result?: { success?: boolean; score?: { raw: number } };
};

async function statements(request: APIRequestContext, verb: string): Promise<Statement[]> {
  const response = await request.get(`${lrsUrl}statements?verb=${encodeURIComponent(verb)}`, { headers: lrsHeaders });
  expect(response.status()).toBe(200);
  return (await response.json()).statements;
}

test("a learner's course reaches the learning record store as xAPI statements, and the admin sees them sent", async ({
  page,
  request,
  baseURL,
}) => {
  test.setTimeout(180_000);
  const home = `${baseURL}/`;

  // The admin finds the learner's account id: statements name people by it, not by name or e-mail.
  await signInWithMfa(page, "carmen.diaz");
  await page.goto(`/admin/people?q=${LEARNER}`);
  await page.getByRole("link", { name: "Elena Petrova" }).first().click();
  await expect(page).toHaveURL(/\/admin\/people\/[0-9a-f-]{36}$/);
  const personId = page.url().split("/").pop()!;
  await signOut(page);

  await signIn(page, LEARNER);
  await expect(page).toHaveURL(/\/dashboard/);
  await readAllLessons(page, COURSE);
  await page.getByRole("button", { name: "Take the quiz" }).click();
  await answerQuiz(page, COURSE, true);
  await page.getByRole("button", { name: "Submit answers" }).click();
  await expect(page.getByText("Passed — 100%")).toBeVisible();
  await signOut(page);

  // Run the scheduler now rather than wait for its minute: it sends what is queued.
  const tick = await request.post("/api/cron/tick", {
    headers: { Authorization: `Bearer ${process.env.E2E_CRON_SECRET}` },
    timeout: 120_000,
  });
  expect(tick.status()).toBe(200);

  // Hers, about this course (another journey may have taken her through another one).
  const mine = (list: Statement[]) =>
    list.filter((s) => s.actor.account?.name === personId && s.object.id.startsWith(`${home}courses/${COURSE}/`));
  // The server's own scheduler may have claimed the statements a moment before: it sends them within its run.
  const verb = (name: string) => `http://adlnet.gov/expapi/verbs/${name}`;
  await expect
    .poll(
      async () => ({
        completed: mine(await statements(request, verb("completed"))).length > 0,
        passed: mine(await statements(request, verb("passed"))).length,
        earned: mine(await statements(request, "http://id.tincanapi.com/verb/earned")).length,
      }),
      { timeout: 60_000 },
    )
    .toEqual({ completed: true, passed: 1, earned: 1 });
  const [passed] = mine(await statements(request, verb("passed")));
  expect(passed).toMatchObject({
    actor: { account: { homePage: home, name: personId } },
    object: { id: `${home}courses/${COURSE}/quiz` },
    result: { success: true, score: { raw: 100 } },
  });
  // Nothing the app sent in this run, by any journey, broke a rule of the specification.
  const rejections = await request.get(`${lrsUrl}rejections`, { headers: lrsHeaders });
  expect(await rejections.json()).toEqual([]);

  await signInWithMfa(page, "carmen.diaz");
  await page.goto("/admin/webhooks");
  const card = page.getByRole("region", { name: "Learning record store (xAPI)" });
  await expect(card).toContainText(new URL(lrsUrl).origin);
  await expect(card).toContainText("their Clearance account id");
  await expect(card.getByText(/^\d+ sent$/)).toBeVisible();
  await expectNoAxeViolations(page);
});
