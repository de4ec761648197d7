import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import { expect, test, type Page, type Request } from "@playwright/test";

import { expectNoAxeViolations } from "./helpers";

/**
 * The public part of the site: privacy-awareness guides, the privacy notice,
 * and the sitemap, robots.txt and Atom feed. No account, no cookies, nothing
 * from another origin, no framework runtime, and light enough for a phone.
 */

/** As many guides as content/guides holds. */
const GUIDE_COUNT = readdirSync(path.resolve("content/guides")).filter((f) => f.endsWith(".md")).length;
const htmlPages = [
  {
    path: "/guides",
    h1: "Guides to keeping your data safe",
    title: "Privacy guides · Clearance",
    script: "/scripts/guide-filter.js",
  },
  {
    path: "/guides/turning-on-mfa",
    h1: "Turning on multi-factor authentication",
    title: "Turning on multi-factor authentication · Clearance",
    script: "/scripts/self-check.js",
  },
  {
    path: "/guides/phishing-and-support-scams",
    h1: "Recognising phishing and tech-support scams",
    title: "Recognising phishing and tech-support scams · Clearance",
    script: "/scripts/self-check.js",
  },
  { path: "/privacy", h1: "Privacy notice", title: "Privacy notice · Clearance", script: null },
];
/** Everything a cold load of one public page transfers: document, stylesheet, script, headers included. */
const PAGE_BUDGET_BYTES = 100 * 1024;

/** Every request the page makes, and every console error, uncaught exception or failed response. */
function watch(page: Page) {
  const requests: Request[] = [];
  const errors: string[] = [];
  page.on("request", (r) => requests.push(r));
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    // A failed load is reported below with its URL.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(`console: ${m.text()}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400) errors.push(`${r.status()}: ${r.url()}`);
  });
  return { requests, errors };
}

async function transferredBytes(requests: Request[]): Promise<number> {
  let total = 0;
  for (const r of requests) {
    if (!(await r.response())) continue;
    const sizes = await r.sizes();
    total += sizes.responseHeadersSize + Math.max(0, sizes.responseBodySize);
  }
  return total;
}

function expectOwnOrigin(requests: Request[], baseURL: string) {
  const foreign = requests.map((r) => r.url()).filter((url) => !url.startsWith(`${baseURL}/`) && url !== baseURL);
  expect(foreign, "requests to another origin").toEqual([]);
}

/** The document `next build` wrote for a statically built route handler. */
const prerendered = (pathname: string) => readFileSync(path.resolve(".next/server/app", `.${pathname}.body`), "utf8");

for (const { path: pagePath, h1, title, script } of htmlPages) {
  test(`${pagePath} is static, private and light`, async ({ page, context, baseURL }) => {
    const { requests, errors } = watch(page);
    const response = await page.goto(pagePath);
    expect(response?.status()).toBe(200);
    expect(await response?.headerValue("content-type")).toMatch(/^text\/html; charset=utf-8/);
    expect(await response?.headerValue("set-cookie")).toBeNull();
    // Built at build time: what is served is the document the build wrote, from the prerender cache.
    const html = await response!.text();
    expect(html).toBe(prerendered(pagePath));
    expect(await response?.headerValue("x-nextjs-cache")).toBe("HIT");

    await expect(page.getByRole("heading", { level: 1 })).toHaveText(h1);
    await expect(page).toHaveTitle(title);
    await expect(page.locator('meta[name="description"]')).toHaveAttribute("content", /^.{50,160}$/);
    await expect(page.locator('link[rel="canonical"]')).toHaveAttribute(
      "href",
      new RegExp(`^https?://[^/]+${pagePath}$`),
    );
    await expect(page.locator('meta[property="og:title"]')).toHaveAttribute(
      "content",
      title.replace(/ · Clearance$/, ""),
    );
    await page.waitForLoadState("networkidle");

    expectOwnOrigin(requests, baseURL!);
    expect(await context.cookies()).toEqual([]);
    for (const r of requests) expect(await (await r.response())?.headerValue("set-cookie"), r.url()).toBeFalsy();

    // A cold load, everything included.
    const cold = await transferredBytes(requests);
    test.info().annotations.push({
      type: "transferred",
      description: `${pagePath}: ${(cold / 1024).toFixed(1)} kB cold, ${requests.length} requests`,
    });
    expect(cold, `${pagePath} transfers ${cold} bytes`).toBeLessThan(PAGE_BUDGET_BYTES);

    // No framework runtime: at most the page's own small script (the guide filter or the self-check).
    expect(html).not.toContain("/_next/");
    expect([...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0])).toEqual(
      script ? [`<script src="${script}" defer>`] : [],
    );
    const loaded = requests.filter((r) => r.resourceType() === "script").map((r) => new URL(r.url()).pathname);
    expect(loaded).toEqual(script ? [script] : []);

    // Reads on a small phone: nothing wider than the screen.
    await page.setViewportSize({ width: 360, height: 740 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

    await expectNoAxeViolations(page);
    expect(errors).toEqual([]);
  });
}

const unescapeHtml = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

test("every guide is a complete document with its own title, description and canonical address", async ({
  request,
}) => {
  const index = await (await request.get("/guides")).text();
  const slugs = [...index.matchAll(/<a href="\/guides\/([a-z0-9-]+)">/g)].map((m) => m[1]);
  expect(slugs).toHaveLength(GUIDE_COUNT);
  for (const slug of slugs) {
    const response = await request.get(`/guides/${slug}`);
    expect(response.status(), slug).toBe(200);
    expect(response.headers()["set-cookie"], slug).toBeUndefined();
    const html = await response.text();
    expect(html, slug).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html, slug).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html, slug).toMatch(/<title>[^<]+ · Clearance<\/title>/);
    const description = html.match(/<meta name="description" content="([^"]*)">/)?.[1] ?? "";
    expect(unescapeHtml(description).length, slug).toBeGreaterThanOrEqual(50);
    expect(unescapeHtml(description).length, slug).toBeLessThanOrEqual(160);
    expect(html, slug).toMatch(new RegExp(`<link rel="canonical" href="https?://[^"]+/guides/${slug}">`));
    expect(html, slug).toContain('<meta property="og:type" content="article">');
    expect(html, slug).not.toContain("/_next/");
  }
});

test("the guide index lists every guide with its topic, reading time and review date", async ({ page }) => {
  await page.goto("/guides");
  const cards = page.getByRole("list", { name: "Guides" }).getByRole("listitem");
  await expect(cards).toHaveCount(GUIDE_COUNT);
  const mfa = cards.filter({ has: page.getByRole("link", { name: "Turning on multi-factor authentication" }) });
  await expect(mfa).toContainText("accounts");
  await expect(mfa).toContainText("4 min read");
  await expect(mfa.locator("time")).toHaveAttribute("datetime", "2026-11-01");
  await expect(mfa).toContainText("Reviewed 1 November 2026");
  await mfa.getByRole("link").click();
  await expect(page).toHaveURL(/\/guides\/turning-on-mfa$/);
});

test("without JavaScript every guide is still listed", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/guides");
  await expect(page.getByRole("list", { name: "Guides" }).getByRole("listitem")).toHaveCount(GUIDE_COUNT);
  await expect(page.getByLabel("Search guides")).toHaveCount(0);

  // The self-check's questions can still be read and answered: each reveals its answer on request.
  await page.goto("/guides/turning-on-mfa");
  const q1 = page.getByRole("group", { name: /Which of these second factors is generally the weakest/ });
  await expect(q1.getByRole("radio")).toHaveCount(4);
  await expect(page.getByRole("button", { name: "Check answer" })).toHaveCount(0);
  const q1Form = q1.locator("xpath=..");
  await expect(q1Form.getByText("The answer is: A code sent by SMS text message")).toBeHidden();
  await q1Form.getByText("Show the answer").click();
  await expect(q1Form.getByText("The answer is: A code sent by SMS text message")).toBeVisible();
  await expect(q1Form).toContainText("SMS codes can be intercepted");
  // Enter on a choice does not send the form anywhere.
  await q1.getByRole("radio", { name: "A passkey" }).check();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/guides\/turning-on-mfa$/);
  await context.close();
});

test("the filter narrows the list by text and by topic", async ({ page }) => {
  const { errors } = watch(page);
  await page.goto("/guides");
  const cards = page.getByRole("list", { name: "Guides" }).getByRole("listitem");
  const search = page.getByLabel("Search guides");

  await search.fill("password");
  await expect(cards).not.toHaveCount(GUIDE_COUNT);
  const remaining = await cards.allInnerTexts();
  expect(remaining.length).toBeGreaterThan(0);
  for (const text of remaining) expect(text.toLowerCase()).toContain("password");
  await expect(cards.getByRole("link", { name: "Strong passwords and password managers" })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "Showing" })).toHaveText(
    `Showing ${remaining.length} of ${GUIDE_COUNT} guides`,
  );

  await search.fill("no guide says this");
  await expect(cards).toHaveCount(0);
  await expect(page.getByText("No guides match your search.")).toBeVisible();
  await page.getByRole("button", { name: "Show all guides" }).click();
  await expect(cards).toHaveCount(GUIDE_COUNT);

  const topics = page.getByRole("group", { name: "Topic" });
  const data = topics.getByRole("button", { name: /^data$/i });
  await data.click();
  await expect(data).toHaveAttribute("aria-pressed", "true");
  await expect(cards).toHaveCount(3);
  for (const text of await cards.allInnerTexts()) expect(text.toLowerCase()).toMatch(/^data\b/);

  // Topic and text combine.
  await search.fill("keep");
  await expect(cards).toHaveCount(1);
  await expect(cards.getByRole("link")).toHaveText("What data our support collects, why, and how long we keep it");

  await topics.getByRole("button", { name: "All topics" }).click();
  await search.fill("");
  await expect(cards).toHaveCount(GUIDE_COUNT);
  await expectNoAxeViolations(page);
  expect(errors).toEqual([]);
});

test("a guide shows its body, related guides and a self-check graded in the browser", async ({ page, baseURL }) => {
  const { requests, errors } = watch(page);
  await page.goto("/guides/turning-on-mfa");
  const article = page.getByRole("article");
  await expect(article.getByRole("heading", { level: 2, name: "Save your recovery codes" })).toBeVisible();
  await expect(article).toContainText("4 min read");
  await expect(article.locator("header time")).toHaveAttribute("datetime", "2026-11-01");
  // Task-list items render as display-only checkboxes.
  await expect(article.locator('.prose-content .task-box[aria-hidden="true"]').first()).toBeAttached();

  const related = page.getByRole("navigation", { name: "Related guides" });
  await expect(related.getByRole("link")).toHaveText([
    /Strong passwords/,
    /Recognising phishing/,
    /What our support staff will never ask/,
  ]);

  // Let everything the page loads settle, then answer.
  await page.getByRole("heading", { name: "Check yourself" }).scrollIntoViewIfNeeded();
  await page.keyboard.press("End");
  await page.waitForLoadState("networkidle");
  await page.waitForTimeout(500);
  const before = requests.length;

  const q1 = page.getByRole("group", { name: /Which of these second factors is generally the weakest/ });
  await q1.getByRole("radio", { name: "A passkey" }).check();
  await q1.locator("xpath=..").getByRole("button", { name: "Check answer" }).click();
  const q1Form = q1.locator("xpath=..");
  await expect(q1Form).toContainText("Not quite. The answer is: A code sent by SMS text message");
  await expect(q1Form).toContainText("SMS codes can be intercepted");

  // Changing the choice clears the verdict; the right answer is then confirmed.
  await q1.getByRole("radio", { name: "A code sent by SMS text message" }).check();
  await expect(q1Form).not.toContainText("Not quite");
  await q1Form.getByRole("button", { name: "Check answer" }).click();
  await expect(q1Form).toContainText("Correct.");

  // Keyboard only: arrow keys move within the radio group without grading it, Enter checks.
  const q2 = page.getByRole("group", { name: /sign-in approval request you did not start/ });
  const q2Form = q2.locator("xpath=..");
  await q2.getByRole("radio").first().focus();
  await page.keyboard.press("ArrowDown");
  await expect(q2.getByRole("radio", { name: /Deny it and change your password/ })).toBeChecked();
  await expect(q2Form).not.toContainText("Correct.");
  await page.keyboard.press("Enter");
  await expect(q2Form).toContainText("Correct.");
  await expect(q2Form).toContainText("someone has your password");

  // Checking without choosing asks for an answer.
  const q3Form = page.getByRole("group", { name: /recovery codes/ }).locator("xpath=..");
  await q3Form.getByRole("button", { name: "Check answer" }).click();
  await expect(q3Form).toContainText("Choose an answer first.");
  await q3Form.getByRole("radio", { name: /In a photo shared on social media/ }).check();
  await q3Form.getByRole("button", { name: "Check answer" }).click();
  await expect(page.getByRole("status").filter({ hasText: "You got" })).toHaveText("You got 2 of 3 right.");

  await expectNoAxeViolations(page);
  // Graded here: answering sent nothing.
  expect(
    requests.slice(before).map((r) => `${r.method()} ${r.url()}`),
    "requests made while answering",
  ).toEqual([]);
  expectOwnOrigin(requests, baseURL!);
  expect(errors).toEqual([]);

  await page.getByRole("button", { name: "Start again" }).click();
  await expect(page.getByText("You got")).toHaveCount(0);
  await expect(q1.getByRole("radio", { checked: true })).toHaveCount(0);
});

test("an unknown guide is a 404", async ({ page }) => {
  const response = await page.goto("/guides/no-such-guide");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});

test("the privacy notice names the organisation, its version and date", async ({ page }) => {
  await page.goto("/privacy");
  const article = page.getByRole("article");
  await expect(article).toContainText("This notice explains how Brightline Support");
  await expect(article).not.toContainText("{{");
  await expect(article.locator("dl")).toContainText(/Version\d+\.\d+\.\d+/);
  await expect(article.locator("time")).toHaveAttribute("datetime", /^\d{4}-\d{2}-\d{2}$/);
  await expect(article.getByRole("heading", { level: 2 }).first()).toBeVisible();
  // The public header and footer lead here and to the guides.
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Privacy" })).toHaveAttribute(
    "aria-current",
    "page",
  );
  await page.getByRole("navigation", { name: "Footer" }).getByRole("link", { name: "Guides" }).click();
  await expect(page).toHaveURL(/\/guides$/);
});

/** Opens a file the way a browser or feed reader would: no cookie, nothing fetched from elsewhere. */
async function openFile(page: Page, path: string, baseURL: string) {
  const { requests } = watch(page);
  const response = await page.goto(path);
  expect(response?.status(), path).toBe(200);
  expect(await response?.headerValue("set-cookie"), path).toBeNull();
  await page.waitForLoadState("networkidle");
  expectOwnOrigin(requests, baseURL);
  expect(await page.context().cookies()).toEqual([]);
  return { text: await response!.text(), contentType: (await response!.headerValue("content-type")) ?? "" };
}

type XmlNode = { name: string; ns: string | null; attrs: Record<string, string>; text: string; children: XmlNode[] };

/** Parses XML with the browser's parser, so a malformed document fails here and not in a feed reader. */
async function parseXml(page: Page, source: string): Promise<XmlNode> {
  return page.evaluate((xml) => {
    const doc = new DOMParser().parseFromString(xml, "application/xml");
    if (doc.getElementsByTagName("parsererror").length > 0) throw new Error("not well-formed XML");
    const toNode = (el: Element): XmlNode => ({
      name: el.localName,
      ns: el.namespaceURI,
      attrs: Object.fromEntries([...el.attributes].map((a) => [a.name, a.value])),
      text: el.children.length === 0 ? (el.textContent ?? "") : "",
      children: [...el.children].map(toNode),
    });
    return toNode(doc.documentElement);
  }, source);
}

const childrenNamed = (node: XmlNode, name: string) => node.children.filter((c) => c.name === name);
const textOf = (node: XmlNode, name: string) => childrenNamed(node, name)[0]?.text;

test("sitemap.xml lists the public pages", async ({ page, baseURL }) => {
  const { text, contentType } = await openFile(page, "/sitemap.xml", baseURL!);
  expect(contentType).toContain("xml");
  const urlset = await parseXml(page, text);
  expect(urlset.name).toBe("urlset");
  const locs = childrenNamed(urlset, "url").map((u) => textOf(u, "loc"));
  for (const loc of locs) expect(loc).toMatch(/^https?:\/\//);
  const paths = locs.map((l) => new URL(l).pathname);
  expect(paths).toEqual(
    expect.arrayContaining([
      "/",
      "/guides",
      "/guides/turning-on-mfa",
      "/guides/your-privacy-rights",
      "/privacy",
      "/verify",
    ]),
  );
  expect(paths.filter((p) => p.startsWith("/guides/"))).toHaveLength(GUIDE_COUNT);
  expect(paths.some((p) => /^\/(api|dashboard|admin|account|audit)/.test(p))).toBe(false);
  const mfa = childrenNamed(urlset, "url").find((u) => textOf(u, "loc").endsWith("/guides/turning-on-mfa"))!;
  expect(textOf(mfa, "lastmod")).toMatch(/^2026-11-01/);
});

test("robots.txt allows the public pages and keeps crawlers out of the rest", async ({ page, baseURL }) => {
  const { text, contentType } = await openFile(page, "/robots.txt", baseURL!);
  expect(contentType).toContain("text/plain");
  expect(text).toMatch(/^User-Agent: \*$/im);
  expect(text).toMatch(/^Allow: \/$/m);
  for (const path of ["/api/", "/dashboard", "/admin", "/account", "/audit"])
    expect(text).toMatch(new RegExp(`^Disallow: ${path}$`, "m"));
  expect(text).toMatch(/^Sitemap: https?:\/\/\S+\/sitemap\.xml$/m);
});

test("the guides feed is valid Atom 1.0 with one entry per guide", async ({ page, baseURL }) => {
  const { text, contentType } = await openFile(page, "/guides/feed.xml", baseURL!);
  expect(contentType).toContain("application/atom+xml");
  const feed = await parseXml(page, text);
  const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
  expect(feed.name).toBe("feed");
  expect(feed.ns).toBe("http://www.w3.org/2005/Atom");
  expect(textOf(feed, "id")).toMatch(/^https?:\/\/.+\/guides$/);
  expect(textOf(feed, "title")).toContain("Privacy guides");
  expect(textOf(feed, "updated")).toMatch(rfc3339);
  expect(textOf(childrenNamed(feed, "author")[0], "name")).toBe("Brightline Support");
  const links = childrenNamed(feed, "link").map((l) => `${l.attrs.rel} ${l.attrs.href}`);
  expect(links).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^self https?:\/\/.+\/guides\/feed\.xml$/),
      expect.stringMatching(/^alternate https?:\/\/.+\/guides$/),
    ]),
  );

  const entries = childrenNamed(feed, "entry");
  expect(entries).toHaveLength(GUIDE_COUNT);
  for (const entry of entries) {
    expect(textOf(entry, "id")).toMatch(/^https?:\/\/.+\/guides\/[a-z0-9-]+$/);
    expect(textOf(entry, "title")).toBeTruthy();
    expect(textOf(entry, "updated")).toMatch(rfc3339);
    expect(textOf(entry, "summary")).toBeTruthy();
    expect(childrenNamed(entry, "link")[0]?.attrs.href).toBe(textOf(entry, "id"));
  }
  const mfa = entries.find((e) => textOf(e, "title") === "Turning on multi-factor authentication")!;
  expect(textOf(mfa, "updated")).toBe("2026-11-01T00:00:00Z");
  expect(new URL(childrenNamed(mfa, "link")[0].attrs.href).pathname).toBe("/guides/turning-on-mfa");
});
