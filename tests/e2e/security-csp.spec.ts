import { expect, test, type Page } from "@playwright/test";

import { giveEsignConsent, signIn } from "./helpers";

/**
 * App pages run only the scripts the server rendered for that request (a
 * per-request nonce, no 'unsafe-inline'); the public HTML pages allow
 * same-origin files only. Client components still work, with no CSP report.
 */

const scriptSrc = (policy: string) =>
  policy
    .split(";")
    .map((d) => d.trim())
    .find((d) => d.startsWith("script-src")) ?? "";

/** Records every CSP violation the page reports, from the first script on. */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  const console: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to (execute|load|apply)/i.test(message.text())) console.push(message.text());
  });
  await page.addInitScript(() => {
    const seen: string[] = ((window as unknown as { __csp: string[] }).__csp = []);
    document.addEventListener("securitypolicyviolation", (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return async () => [
    ...console,
    ...(await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? [])),
  ];
}

test("app pages carry a fresh nonce and no 'unsafe-inline' script source", async ({ page, request }) => {
  const nonces = new Set<string>();
  for (const path of ["/", "/signin", "/verify", "/signin"]) {
    const response = await request.get(path);
    expect(response.status(), path).toBe(200);
    const policies = response.headersArray().filter((h) => h.name.toLowerCase() === "content-security-policy");
    expect(policies, path).toHaveLength(1);
    const scripts = scriptSrc(policies[0].value);
    expect(scripts, path).not.toContain("'unsafe-inline'");
    expect(scripts, path).not.toContain("'unsafe-eval'");
    const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(scripts)?.[1];
    expect(nonce, path).toBeTruthy();
    nonces.add(nonce!);
    // Every script the page ships carries that nonce.
    const html = await response.text();
    const tags = html.match(/<script\b[^>]*>/g) ?? [];
    expect(tags.length, path).toBeGreaterThan(0);
    for (const tag of tags) expect(tag, path).toContain(`nonce="${nonce}"`);
  }
  expect(nonces.size).toBe(4);

  // The public documents stay static and strict: same-origin scripts only, no nonce, no cookie.
  for (const path of ["/guides", "/guides/turning-on-mfa", "/privacy"]) {
    const response = await page.request.get(path);
    expect(scriptSrc(response.headers()["content-security-policy"] ?? ""), path).toBe("script-src 'self'");
    expect(response.headers()["set-cookie"], path).toBeUndefined();
  }
});

test("injected markup cannot run script on an app page", async ({ page }) => {
  const violations = await watchViolations(page);
  await page.goto("/signin");
  // What an HTML injection would add: an inline event handler and an inline script without the nonce.
  await page.evaluate(() => {
    document.body.insertAdjacentHTML("beforeend", '<img alt="" src="/none.png" onerror="window.__injected = true">');
    document.body.insertAdjacentHTML(
      "beforeend",
      '<iframe srcdoc="<script>parent.__injected = true</script>"></iframe>',
    );
  });
  await expect.poll(violations).toEqual(expect.arrayContaining([expect.stringMatching(/^script-src/)]));
  expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
});

test("client components (sign-in form, signature pad, guide filter) work with no CSP violation", async ({ page }) => {
  const violations = await watchViolations(page);
  await signIn(page, "ana.silva");
  await expect(page).toHaveURL(/\/dashboard/);
  await page.goto("/agreements/acceptable-use-attestation");
  await giveEsignConsent(page);
  const pad = page.getByTestId("signature-pad");
  await expect(pad).toBeVisible();
  const box = (await pad.boundingBox())!;
  await page.mouse.move(box.x + 20, box.y + box.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 8; i++) await page.mouse.move(box.x + 20 + i * 25, box.y + box.height / 2 + (i % 2 ? -15 : 15));
  await page.mouse.up();
  await expect(page.locator('input[type="hidden"][value^="data:image/png"]')).toHaveCount(1);
  expect(await violations()).toEqual([]);

  await page.goto("/guides");
  await page.getByLabel("Search guides").fill("no guide says this");
  await expect(page.getByText("No guides match your search.")).toBeVisible();
  expect(await violations()).toEqual([]);
});
