import { expect, test as setup } from "@playwright/test";

import { expectNoAxeViolations, signInWithMfa } from "./helpers";

/**
 * Before the journeys run, a compliance admin connects the organisation's
 * learning record store (the test LRS from the global setup) in Admin →
 * Webhooks, as an L&D administrator would: a private address is refused at
 * the field, a wrong secret is saved but reported at once, and the right one
 * is accepted. Every journey after this one sends its statements there;
 * xapi.spec.ts checks they arrived and that the store refused none.
 */

const lrsUrl = process.env.E2E_LRS_URL!;
const key = process.env.E2E_LRS_USERNAME!;
const secret = process.env.E2E_LRS_PASSWORD!;

setup("a compliance admin connects the learning record store", async ({ page }) => {
  await signInWithMfa(page, "carmen.diaz");
  await page.goto("/admin/webhooks");
  const card = page.getByRole("region", { name: "Learning record store (xAPI)" });
  await expect(card).toContainText("Not connected");
  await expectNoAxeViolations(page);

  const connect = card.getByRole("form", { name: "Connect a store" });
  await connect.getByLabel("xAPI endpoint").fill("https://10.0.0.8/xapi/");
  await connect.getByLabel("Key").fill(key);
  await connect.getByLabel("Secret").fill("not-the-secret");
  await connect.getByRole("button", { name: "Connect" }).click();
  await expect(connect.getByText("That address is on a private or internal network.", { exact: false })).toBeVisible();
  // What was typed is still there to correct.
  await expect(connect.getByLabel("xAPI endpoint")).toHaveValue("https://10.0.0.8/xapi/");
  await expect(connect.getByLabel("Key")).toHaveValue(key);

  // The statements URL pasted whole is taken back to the endpoint; the wrong secret is reported at once.
  await connect.getByLabel("xAPI endpoint").fill(`${lrsUrl}statements`);
  await connect.getByLabel("Secret").fill("not-the-secret");
  await connect.getByRole("button", { name: "Connect" }).click();
  await expect(card.getByRole("status").filter({ hasText: "Connected: statements go to" })).toContainText(
    "The store refused the key and secret (HTTP 401).",
  );
  await expect(card.getByTestId("lrs-endpoint")).toHaveText(lrsUrl);

  const change = card.getByRole("form", { name: "Change the connection" });
  await expect(change.getByLabel("Key")).toHaveValue(key);
  await change.getByLabel("Secret").fill(secret);
  await change.getByRole("button", { name: "Save changes" }).click();
  await expect(card.getByRole("status").filter({ hasText: "Saved: statements go to" })).toContainText(
    "The store accepted the key and secret.",
  );
  await expect(card).toContainText("Key and secret set (the secret is never shown)");
  await expect(card).toContainText("Carmen");
  await expect(card.getByLabel("Secret")).toHaveValue("");
  await expectNoAxeViolations(page);
});
