import { expect, test, type APIRequestContext } from "@playwright/test";

import { completeCourse, email, enrolMfa, signEmployeeNda, signIn, signInWithMfa } from "./helpers";

/**
 * A manager who is also an auditor signs in with a password alone and, before
 * setting up two-factor authentication, asks for every file within reach:
 * a report's certificate and signed NDA, the team, overview and data-event
 * exports, and their own data. Every one is refused until they enrol; then
 * the same requests succeed.
 */

const MANAGER = "nina.kowalski";
const REPORT = "peter.jansen";

type Download = { name: string; path: string };

async function outcomes(request: APIRequestContext, downloads: Download[]): Promise<Record<string, string>> {
  const got: Record<string, string> = {};
  for (const d of downloads) {
    const response = await request.get(d.path, { maxRedirects: 0 });
    const type = response.headers()["content-type"] ?? "";
    const code =
      type.startsWith("application/json") && response.status() >= 400
        ? ((await response.json()) as { error?: { code?: string } }).error?.code
        : undefined;
    got[d.name] = `${response.status()} ${code ?? type.split(";")[0]}`;
  }
  return got;
}

test("someone who must use MFA downloads nothing until they have enrolled", async ({ browser }) => {
  test.setTimeout(240_000);

  // A report of the manager passes a course and signs the NDA: the files to aim at.
  const report = await (await browser.newContext()).newPage();
  await signIn(report, REPORT);
  await expect(report).toHaveURL(/\/dashboard/);
  await completeCourse(report, "confidentiality-acceptable-use");
  const certificate = (await report.getByRole("link", { name: "Download certificate (PDF)" }).getAttribute("href"))!;
  const signature = await signEmployeeNda(report, "Peter Jansen");

  // A compliance admin makes the manager an auditor too, so the organisation-wide exports are in scope.
  const admin = await (await browser.newContext()).newPage();
  await signInWithMfa(admin, "carmen.diaz");
  await admin.goto(`/admin/people?q=${MANAGER}`);
  const row = admin.locator(`tr[data-email="${email(MANAGER)}"]`);
  await row.getByLabel("Auditor").check();
  await row.getByRole("button", { name: "Save roles" }).click();
  await expect(row.getByText("Auditor", { exact: true }).first()).toBeVisible();
  await expect(row.getByRole("button", { name: "Save roles" })).toBeEnabled();

  const downloads: Download[] = [
    { name: "certificate PDF", path: certificate },
    { name: "signed agreement PDF", path: `/agreements/documents/${signature}` },
    { name: "team CSV", path: "/team/export" },
    { name: "overview CSV", path: "/admin/overview/export" },
    { name: "data-events CSV", path: "/audit/data-events/export" },
    { name: "my-data export (JSON)", path: "/account/data/export" },
    { name: "my-data export (ZIP)", path: "/account/data/export?format=zip" },
  ];

  // Password only: the app sends the manager to enrolment, and every file is refused.
  const manager = await (await browser.newContext()).newPage();
  await signIn(manager, MANAGER);
  await expect(manager).toHaveURL(/\/account\/mfa/);
  expect(await outcomes(manager.request, downloads)).toEqual(
    Object.fromEntries(downloads.map((d) => [d.name, "403 mfa_required"])),
  );

  // Enrolled: the same session's replacement gets every file.
  await enrolMfa(manager);
  expect(await outcomes(manager.request, downloads)).toEqual({
    "certificate PDF": "200 application/pdf",
    "signed agreement PDF": "200 application/pdf",
    "team CSV": "200 text/csv",
    "overview CSV": "200 text/csv",
    "data-events CSV": "200 text/csv",
    "my-data export (JSON)": "200 application/json",
    "my-data export (ZIP)": "200 application/zip",
  });
});
