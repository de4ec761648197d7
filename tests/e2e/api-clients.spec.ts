import { expect, test } from "@playwright/test";

import { alertOf, email, expectNoAxeViolations, signInWithMfa } from "./helpers";

const CHECK = `/api/v1/access/check?user=${encodeURIComponent(email("ana.silva"))}&role=customer-pii-read`;
// The same server's decision listener (ACCESS_API_PORT), set up by playwright.config.ts.
const DECISION_ORIGIN = process.env.E2E_DECISION_ORIGIN!;

test("a compliance admin creates an API client, its token answers once, and revoking it locks the API", async ({
  page,
  context,
}) => {
  test.setTimeout(120_000); // MFA enrolment and two axe passes
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signInWithMfa(page, "carmen.diaz");
  await page.goto("/admin/api");
  await expect(page.getByRole("heading", { name: "API", exact: true })).toBeVisible();
  await expect(page.getByRole("heading", { name: "API clients", exact: true })).toBeVisible();
  await expectNoAxeViolations(page);

  // Validation speaks per field and keeps what was typed.
  const name = `Support console ${Date.now()}`;
  await page.getByLabel("Name").fill(name);
  await page.getByRole("button", { name: "Create API client" }).click();
  await expect(alertOf(page)).toContainText("Please correct the highlighted fields.");
  await expect(page.getByText("Choose at least one scope.")).toBeVisible();
  await expect(page.getByLabel("Name")).toHaveValue(name);

  await page.getByRole("checkbox", { name: /access:check/ }).check();
  await page.getByRole("button", { name: "Create API client" }).click();
  const shown = page.getByTestId("new-token");
  await expect(shown).toContainText("This is the only time it is shown");
  const token = await shown.getByLabel(`API token for ${name}`).inputValue();
  expect(token).toMatch(/^clr_[A-Za-z0-9_-]{40,}$/);
  await shown.getByRole("button", { name: "Copy token" }).click();
  await expect(shown.getByText("Copied")).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);

  const row = page.locator("tr", { has: page.getByRole("rowheader", { name: new RegExp(name) }) });
  await expect(row).toContainText("access:check");
  await expect(row).toContainText(token.slice(0, 10));
  await expect(row).toContainText("Never");
  await expect(row).toContainText("Active");
  await expectNoAxeViolations(page);

  // The token works for access:check…
  const allowed = await page.request.get(CHECK, { headers: { Authorization: `Bearer ${token}` } });
  expect(allowed.status()).toBe(200);
  const decision = await allowed.json();
  expect(decision.allow).toBe(false);
  expect(decision.reasons).toContain("no_grant");
  // The decision listener gives the same answer to the same token.
  const fromListener = await page.request.get(`${DECISION_ORIGIN}${CHECK}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(fromListener.status()).toBe(200);
  // Each answer is its own decision-log row.
  const listened = await fromListener.json();
  expect({ ...listened, decision_id: undefined }).toEqual({ ...decision, decision_id: undefined });
  expect(Number(listened.decision_id)).toBeGreaterThan(Number(decision.decision_id));
  // …and only for its scope.
  const holders = await page.request.get("/api/v1/access/holders?role=customer-pii-read", {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(holders.status()).toBe(403);

  // The token is never shown again.
  await page.reload();
  await expect(page.getByTestId("new-token")).toHaveCount(0);
  await expect(page.locator("body")).not.toContainText(token);
  await expect(row).not.toContainText("Never");

  await row.getByRole("button", { name: `Revoke ${name}` }).click();
  await row.getByRole("button", { name: "Cancel" }).click();
  await expect(row).toContainText("Active");
  await row.getByRole("button", { name: `Revoke ${name}` }).click();
  await row.getByRole("button", { name: "Yes, revoke" }).click();
  await expect(row.getByText("Revoked", { exact: true })).toBeVisible();
  await expect(row.getByRole("button", { name: /Revoke/ })).toHaveCount(0);

  const refused = await page.request.get(CHECK, { headers: { Authorization: `Bearer ${token}` } });
  expect(refused.status()).toBe(401);
  expect((await refused.json()).error.code).toBe("invalid_token");
  // Revocation reaches the decision listener at once too.
  const refusedByListener = await page.request.get(`${DECISION_ORIGIN}${CHECK}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(refusedByListener.status()).toBe(401);
});

test("the OpenAPI document is served as cacheable JSON and rendered as the reference", async ({ page }) => {
  test.setTimeout(120_000);
  const response = await page.request.get("/api/v1/openapi.json");
  expect(response.status()).toBe(200);
  expect(response.headers()["cache-control"]).toMatch(/public/);
  const doc = await response.json();
  expect(doc.openapi).toBe("3.1.0");

  await signInWithMfa(page, "carmen.diaz");
  await page.goto("/admin/api");
  await page.getByRole("navigation", { name: "API" }).getByRole("link", { name: "API reference" }).click();
  await expect(page.getByRole("heading", { name: "API reference", level: 1 })).toBeVisible();
  const check = page.locator("#checkAccess");
  await expect(check).toContainText("GET/api/v1/access/check");
  await expect(
    check.getByText(
      /curl -sS '.*\/api\/v1\/access\/check\?user=ana\.silva%40brightline\.example&role=customer-pii-read'/,
    ),
  ).toBeVisible();
  await expect(page.locator("#checkAccessBatch")).toContainText("1–1,000 items");
  await expect(page.locator("#api-errors")).toContainText("rate_limited");
  await expect(page.getByRole("heading", { name: "Rate limits" })).toBeVisible();
  await expect(page.getByText(/valid_until/).first()).toBeVisible();
  await expectNoAxeViolations(page);
});

test("people who are not compliance admins cannot open the API page", async ({ page }) => {
  await signInWithMfa(page, "amir.haddad");
  const response = await page.goto("/admin/api");
  expect(response?.status()).toBe(403);
});
