import { readFileSync } from "node:fs";

import { expect, test, type Page } from "@playwright/test";

import { alertOf, expectNoAxeViolations, shoot, signIn, signInWithMfa } from "./helpers";

// Priya Nair's reports in the demo organisation (db/seed.ts).
const PRIYA_REPORTS = ["Ana Silva", "Fatima Zahra", "José Ñúñez", "Mateo García", "Noah Kim", "李华"];

/**
 * What the matrix shows, read from the visible text, in the CSV's shape: the
 * header and one array per row, each item as its status, due date and
 * valid-until date (the table's "due 27 Nov 2026" becomes 2026-11-27).
 */
async function tableAsRows(page: Page): Promise<string[][]> {
  return page
    .locator("table")
    .first()
    .evaluate((table) => {
      const text = (el: Element | null) => (el?.textContent ?? "").trim();
      const iso = (day: string) => {
        const d = new Date(`${day} 12:00 UTC`);
        return d.toISOString().slice(0, 10);
      };
      const headers = Array.from(table.querySelectorAll("thead th")).map(text);
      // Person → Name + Email; the last column holds the Nudge buttons and is not data.
      const header = [
        "Name",
        "Email",
        headers[1],
        ...headers.slice(2, -1).flatMap((h) => [`${h}: status`, `${h}: due`, `${h}: valid until`]),
      ];
      const rows = Array.from(table.querySelectorAll("tbody tr")).map((tr) => {
        const th = tr.querySelector("th")!;
        const tds = Array.from(tr.querySelectorAll("td")).slice(0, -1);
        const cells = tds.slice(1).flatMap((td) => {
          const cell = td.querySelector("[data-status]")!;
          if (cell.getAttribute("data-status") === "not_applicable") return ["—", "", ""];
          const [badge, detail] = Array.from(cell.querySelectorAll(":scope > span")).map(text);
          const match = /^(due|until|expires|ended) (.+)$/.exec(detail ?? "");
          if (!match) return [badge, "", ""];
          return match[1] === "due" ? [badge, iso(match[2]), ""] : [badge, "", iso(match[2])];
        });
        return [text(th.querySelector("a")), text(th.querySelector("span")), text(tds[0]), ...cells];
      });
      return [header, ...rows];
    });
}

function parseCsv(csv: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const c = csv[i];
    if (quoted) {
      if (c === '"' && csv[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && csv[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += c;
  }
  return rows;
}

async function downloadCsv(page: Page): Promise<{ bytes: Buffer; rows: string[][] }> {
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download CSV" }).click(),
  ]);
  const bytes = readFileSync((await download.path())!);
  return { bytes, rows: parseCsv(bytes.toString("utf8").replace(/^\uFEFF/, "")) };
}

test("a manager tracks the team: matrix, filters, nudges, CSV and a person's record", async ({
  page,
  browser,
  request,
}) => {
  test.setTimeout(180_000);
  // The export is an endpoint of its own: signed out → 401 as JSON.
  const anonymous = await request.get("/team/export");
  expect(anonymous.status()).toBe(401);
  expect((await anonymous.json()).error.code).toBe("unauthenticated");

  // Other specs may already have enrolled Priya in MFA: the helper signs in either way.
  await signInWithMfa(page, "priya.nair");
  // A fresh load: the menu rendered during enrolment is empty until the layout renders again.
  await page.goto("/dashboard");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Team" }).click();
  await expect(page).toHaveURL(/\/team$/);
  await expect(page.getByRole("heading", { level: 1, name: "Team" })).toBeVisible();

  // Every report, nobody else; on a fresh database everything is assigned and not started yet.
  const table = page.getByRole("table", { name: /^Training status of/ });
  // Other specs may have added people to Priya's team (the CSV import does): the demo reports are all there.
  await expect(table).toHaveAccessibleName(/^Training status of \d+ people, page 1 of 1\./);
  const names = await table.locator("tbody th a").allInnerTexts();
  expect(names).toEqual(expect.arrayContaining(PRIYA_REPORTS));
  await expect(table.getByRole("columnheader", { name: "Data-protection law essentials" })).toBeVisible();
  await expect(table.getByText("Not started").first()).toBeVisible();
  await expect(page.getByText("People", { exact: true })).toBeVisible();
  // Training and agreements are separate figures, each with its definition a press away.
  const summary = page.getByRole("region", { name: "Summary" });
  await expect(summary.getByText("Training compliance")).toBeVisible();
  await expect(summary.getByText("Agreements signed")).toBeVisible();
  const about = summary.getByRole("button", { name: "What Training compliance counts" });
  await expect(about).toHaveAttribute("aria-expanded", "false");
  await about.click();
  await expect(about).toHaveAttribute("aria-expanded", "true");
  await expect(summary.getByText(/Only courses count; agreements are a figure of their own/)).toBeVisible();
  await expectNoAxeViolations(page);
  await shoot(page, "team-definition-open");
  await page.keyboard.press("Escape");
  await expect(summary.getByText(/Only courses count/)).toBeHidden();
  await expectNoAxeViolations(page);

  // Filters are plain GET parameters: shareable and usable from the keyboard.
  await page.getByLabel("Search").fill("jose nunez");
  await page.getByLabel("Sort by").selectOption("department");
  await page.getByLabel("Search").press("Enter");
  await expect(page).toHaveURL(/q=jose\+nunez/);
  await expect(page).toHaveURL(/sort=department/);
  await expect(table.locator("tbody tr")).toHaveCount(1);
  await expect(table.locator("tbody th a")).toHaveText("José Ñúñez");
  // The demo organisation has one overdue report.
  await page.goto("/team?status=overdue");
  await expect(table.locator("tbody th a")).toHaveText(["Ana Silva"]);
  await page.goto("/team?status=overdue&q=nobody-by-this-name");
  await expect(page.getByText("No reports match these filters")).toBeVisible();
  await expectNoAxeViolations(page);
  await page.getByRole("link", { name: "Show the whole team" }).click();
  await expect(table.locator("tbody tr")).toHaveCount(names.length);

  // Nudge Ana: once today, then the same items are not sent again.
  const anaRow = table.locator("tbody tr", { has: page.getByRole("link", { name: "Ana Silva" }) });
  await anaRow.getByRole("button", { name: "Nudge Ana Silva" }).click();
  await expect(anaRow.getByRole("status")).toContainText(/One reminder sent to Ana Silva listing \d+ items\./);
  await expect(anaRow.getByText(/^Nudged today at \d{2}:\d{2} UTC$/)).toBeVisible();
  await anaRow.getByRole("button", { name: "Nudge Ana Silva" }).click();
  await expect(anaRow.getByRole("status")).toContainText(
    "already had a reminder today for each item; nothing more was sent",
  );
  await page.reload();
  await expect(anaRow.getByText(/^Nudged today at \d{2}:\d{2} UTC$/)).toBeVisible();

  // The CSV holds exactly what the table shows: all of it, then a filtered view.
  const whole = await downloadCsv(page);
  expect([...whole.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  expect(whole.rows).toEqual(await tableAsRows(page));
  // The header, then one row per person in the table (other specs may have added reports).
  expect(whole.rows).toHaveLength(names.length + 1);

  await page.getByLabel("Item").selectOption({ label: "Spotting and reporting security incidents" });
  await page.getByLabel("Status").selectOption("not_started");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/item=course%3Aincident-reporting/);
  const filtered = await downloadCsv(page);
  expect(filtered.rows).toEqual(await tableAsRows(page));
  // Name, email, department, then the one item's status, due date and valid-until date.
  expect(filtered.rows[0]).toHaveLength(6);

  // A person's record from the matrix.
  await page.goto("/team");
  await table.getByRole("link", { name: "Ana Silva" }).click();
  await expect(page).toHaveURL(/\/people\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1, name: "Ana Silva" })).toBeVisible();
  await expect(page.getByText(/^Nudged today at \d{2}:\d{2} UTC$/)).toBeVisible();
  await expect(page.getByText("No certifications yet")).toBeVisible();
  await expect(page.getByText("No quiz attempts yet")).toBeVisible();
  await expect(page.getByText("No agreements recorded yet")).toBeVisible();
  await expectNoAxeViolations(page);

  // Someone outside Priya's line: "not found", not "forbidden".
  const outsider = await page.goto("/people/00000000-0000-4000-8000-000000000000");
  expect(outsider?.status()).toBe(404);

  // An employee gets 403 from the export and no Team page.
  const employee = await browser.newContext();
  const employeePage = await employee.newPage();
  await signIn(employeePage, "ana.silva");
  await expect(employeePage).toHaveURL(/\/dashboard/);
  await expect(employeePage.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Team" })).toHaveCount(
    0,
  );
  const forbidden = await employeePage.request.get("/team/export");
  expect(forbidden.status()).toBe(403);
  expect((await forbidden.json()).error.code).toBe("forbidden");
  await employee.close();
  await expect(alertOf(page)).toHaveCount(0);
});
