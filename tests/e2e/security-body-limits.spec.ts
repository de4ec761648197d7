import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { expect, test } from "@playwright/test";

/**
 * Server Actions take at most 1 MB; the /verify PDF upload alone takes 10 MB,
 * through its own route. Sizes an attacker picks, sent to the production server.
 */

/** The id of a Server Action, from the build's manifest (the browser finds it in the page's script). */
function actionId(file: string, exportedName: string): string {
  const manifest = JSON.parse(readFileSync(path.resolve(".next/server/server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { filename: string; exportedName: string }>;
  };
  const entry = Object.entries(manifest.node).find(([, v]) => v.filename === file && v.exportedName === exportedName);
  if (!entry) throw new Error(`no Server Action ${exportedName} in ${file}`);
  return entry[0];
}

test("a Server Action refuses a 2 MB body and still answers a small one", async ({ request, baseURL }) => {
  const id = actionId("app/set-password/[token]/actions.ts", "choosePassword");
  const send = (size: number) =>
    request.post("/set-password/not-a-real-token-000000000000", {
      headers: { "Next-Action": id, Origin: new URL(baseURL!).origin, Accept: "text/x-component" },
      multipart: {
        "0": JSON.stringify(["$undefined", "$K1"]),
        "1_token": "not-a-real-token-000000000000",
        "1_password": "p".repeat(size),
      },
    });
  const small = await send(900 * 1024);
  expect(small.status()).toBe(200);
  expect(await small.text()).toContain('"ok":false');
  const large = await send(2 * 1024 * 1024);
  expect(large.status()).not.toBe(200);
  expect(await large.text()).not.toContain('"ok"');
});

test("the /verify upload accepts a 9 MB file (refused as not a signed PDF) and refuses 11 MB", async ({
  page,
  request,
}) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "e2e-upload-"));
  const nine = path.join(dir, "nine.pdf");
  writeFileSync(nine, Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.alloc(9 * 1024 * 1024, 0x41)]));

  await page.goto("/verify");
  await page.getByLabel("Signed agreement or certificate (PDF)").setInputFiles(nine);
  await page.getByRole("button", { name: "Check document" }).click();
  await expect(page.getByTestId("document-verdict")).toHaveText("Not recognised or modified");

  // The page refuses an 11 MB file without sending it, with the message it always gave…
  const eleven = path.join(dir, "eleven.pdf");
  writeFileSync(eleven, Buffer.alloc(11 * 1024 * 1024, 0x41));
  await page.getByLabel("Signed agreement or certificate (PDF)").setInputFiles(eleven);
  await page.getByRole("button", { name: "Check document" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "larger than 10 MB" })).toHaveText(
    "That file is larger than 10 MB; signed agreements and certificates are much smaller.",
  );

  // …and the route refuses one sent straight to it.
  const direct = await request.post("/verify/upload", {
    multipart: {
      document: { name: "eleven.pdf", mimeType: "application/pdf", buffer: Buffer.alloc(11 * 1024 * 1024, 0x41) },
    },
  });
  expect(direct.status()).toBe(413);
  expect(await direct.json()).toEqual({
    error: "That file is larger than 10 MB; signed agreements and certificates are much smaller.",
  });
});
