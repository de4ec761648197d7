import { readFileSync } from "node:fs";

import { expect, test } from "@playwright/test";

import { openCheckpoint } from "../../lib/audit/checkpoint-file";
import { expectNoAxeViolations, signInWithMfa } from "./helpers";

test.describe("audit log integrity", () => {
  test("an auditor sees the log intact, signs a checkpoint and downloads it as a file that verifies on its own", async ({
    page,
  }) => {
    await signInWithMfa(page, "amir.haddad");
    await page.goto("/audit");
    await expect(page.getByRole("heading", { name: "Audit log", level: 1 })).toBeVisible();
    const integrity = page.locator("section").filter({ has: page.getByRole("heading", { name: "Integrity" }) });
    await expect(integrity.getByRole("status").first()).toContainText(/Intact: (all )?\d+ events? /);
    await expectNoAxeViolations(page);

    await page.getByRole("button", { name: "Create checkpoint now" }).click();
    const checkpoints = page
      .locator("section")
      .filter({ has: page.getByRole("heading", { name: "Signed checkpoints" }) });
    const manual = checkpoints.getByRole("listitem").filter({ hasText: "manual" }).first();
    await expect(manual).toBeVisible();
    const id = (await manual.textContent())!.match(/#(\d+)/)![1];

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      manual.getByRole("link", { name: `Download checkpoint ${id} (JSON)` }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(
      new RegExp(`^audit-checkpoint-${id}-\\d{4}-\\d{2}-\\d{2}T\\d{2}\\.json$`),
    );
    const text = readFileSync((await download.path())!, "utf8");
    const file = JSON.parse(text);
    // Checked with nothing but the file and the certificate it names.
    const opened = openCheckpoint(text, [file.certificate]);
    expect(opened).toMatchObject({ ok: true, statement: { trigger: "manual", organisation: "Brightline Support" } });
    expect(
      openCheckpoint(
        text.replace(/"eventCount": (\d+)/, (_, n) => `"eventCount": ${Number(n) + 1}`),
        [file.certificate],
      ).ok,
    ).toBe(false);

    // The full check from the first event agrees with the new checkpoint.
    await page.getByRole("link", { name: "Verify from the first event" }).click();
    await expect(integrity.getByRole("status").first()).toContainText(
      new RegExp(`Intact: all \\d+ events? verified, consistent with checkpoint #${id}\\.`),
    );
  });
});
