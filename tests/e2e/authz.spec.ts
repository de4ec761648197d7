import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { expect, test, type APIRequestContext, type Browser, type Page } from "@playwright/test";
import { completeCourse, signIn, signInWithMfa } from "./helpers";

/**
 * The authorization matrix: every page and route handler, for every kind of
 * actor, with the outcome expected. A route added without an entry here fails
 * the first test. IDOR attempts use real records of another person.
 */

type Actor = "anonymous" | "employee" | "manager" | "otherManager" | "admin" | "auditor";
type Outcome = "ok" | "signin" | "403" | "404" | "401" | "405" | "redirect";
const ACTORS: Actor[] = ["anonymous", "employee", "manager", "otherManager", "admin", "auditor"];

const all = (o: Outcome): Record<Actor, Outcome> => Object.fromEntries(ACTORS.map((a) => [a, o])) as Record<Actor, Outcome>;
const signedIn = (o: Outcome, anonymous: Outcome = "signin") => ({ ...all(o), anonymous });
const roles = (allowed: Actor[], anonymous: Outcome = "signin", denied: Outcome = "403") =>
  Object.fromEntries(ACTORS.map((a) => [a, a === "anonymous" ? anonymous : allowed.includes(a) ? "ok" : denied])) as Record<Actor, Outcome>;

type Ids = { signature: string; certificate: string; attempt: string; employee: string };
type Entry = { path: (ids: Ids) => string; expect: Record<Actor, Outcome>; method?: "GET" | "POST" };

const ADMIN_ONLY = roles(["admin"]);
const ADMIN_AUDITOR = roles(["admin", "auditor"]);

const MATRIX: Record<string, Entry> = {
  "/": { path: () => "/", expect: all("ok") },
  "/signin": { path: () => "/signin", expect: { ...all("redirect"), anonymous: "ok" } },
  "/verify": { path: () => "/verify", expect: all("ok") },
  "/guides": { path: () => "/guides", expect: all("ok") },
  "/guides/[slug]": { path: () => "/guides/turning-on-mfa", expect: all("ok") },
  "/guides/feed.xml": { path: () => "/guides/feed.xml", expect: all("ok") },
  "/privacy": { path: () => "/privacy", expect: all("ok") },
  "/partner-sign/[token]": { path: () => "/partner-sign/not-a-real-token-000000000000", expect: all("ok") },
  "/set-password/[token]": { path: () => "/set-password/not-a-real-token-000000000000", expect: all("ok") },
  "/api/health": { path: () => "/api/health", expect: all("ok") },
  "/api/v1/openapi.json": { path: () => "/api/v1/openapi.json", expect: all("ok") },
  "/api/auth/[...nextauth]": { path: () => "/api/auth/providers", expect: all("ok") },
  "/dashboard": { path: () => "/dashboard", expect: signedIn("ok") },
  "/courses": { path: () => "/courses", expect: signedIn("ok") },
  "/courses/[courseId]": { path: () => "/courses/incident-reporting", expect: signedIn("ok") },
  "/courses/[courseId]/lessons/[lesson]": { path: () => "/courses/incident-reporting/lessons/phishing-vishing-and-support-scams", expect: signedIn("ok") },
  // Only the person who took the quiz (and compliance reviewers, once submitted) may open an attempt.
  "/courses/[courseId]/attempts/[attemptId]": { path: (ids) => `/courses/confidentiality-acceptable-use/attempts/${ids.attempt}`, expect: { ...roles(["employee", "admin", "auditor"], "signin", "404") } },
  "/agreements": { path: () => "/agreements", expect: signedIn("ok") },
  "/agreements/[agreementId]": { path: () => "/agreements/acceptable-use-attestation", expect: signedIn("ok") },
  "/access": { path: () => "/access", expect: signedIn("ok") },
  "/account": { path: () => "/account", expect: signedIn("ok") },
  "/account/mfa": { path: () => "/account/mfa", expect: signedIn("ok") },
  "/account/data": { path: () => "/account/data", expect: signedIn("ok") },
  "/account/data/export": { path: () => "/account/data/export", expect: signedIn("ok", "401") },
  "/team": { path: () => "/team", expect: roles(["manager", "otherManager"]) },
  "/team/export": { path: () => "/team/export", expect: roles(["manager", "otherManager"], "401") },
  "/people/[personId]": { path: (ids) => `/people/${ids.employee}`, expect: roles(["employee", "manager", "admin", "auditor"], "signin", "404") },
  "/access/approvals": { path: () => "/access/approvals", expect: roles(["manager", "otherManager", "admin"]) },
  "/certificates/[id]": { path: (ids) => `/certificates/${ids.certificate}`, expect: roles(["employee", "manager", "admin", "auditor"], "401", "404") },
  "/agreements/documents/[id]": { path: (ids) => `/agreements/documents/${ids.signature}`, expect: roles(["employee", "manager", "admin", "auditor"], "401", "404") },
  "/admin": { path: () => "/admin", expect: ADMIN_AUDITOR },
  "/admin/overview": { path: () => "/admin/overview", expect: ADMIN_AUDITOR },
  "/admin/overview/export": { path: () => "/admin/overview/export", expect: roles(["admin", "auditor"], "401") },
  "/admin/people": { path: () => "/admin/people", expect: ADMIN_AUDITOR },
  "/admin/people/new": { path: () => "/admin/people/new", expect: ADMIN_ONLY },
  "/admin/people/import": { path: () => "/admin/people/import", expect: ADMIN_ONLY },
  // Auditors read a person's record read-only; only compliance admins can change it.
  "/admin/people/[id]": { path: (ids) => `/admin/people/${ids.employee}`, expect: ADMIN_AUDITOR },
  "/admin/partners": { path: () => "/admin/partners", expect: ADMIN_AUDITOR },
  "/admin/assignments": { path: () => "/admin/assignments", expect: ADMIN_ONLY },
  "/admin/assignments/people": { path: () => "/admin/assignments/people?q=ana", expect: roles(["admin"], "401") },
  "/admin/corrections": { path: () => "/admin/corrections", expect: ADMIN_ONLY },
  "/admin/outbox": { path: () => "/admin/outbox", expect: ADMIN_ONLY },
  "/admin/outbox/[id]": { path: () => "/admin/outbox/00000000-0000-4000-8000-000000000000", expect: { ...ADMIN_ONLY, admin: "404" } },
  "/admin/api": { path: () => "/admin/api", expect: ADMIN_ONLY },
  "/admin/api/reference": { path: () => "/admin/api/reference", expect: ADMIN_ONLY },
  "/admin/webhooks": { path: () => "/admin/webhooks", expect: ADMIN_ONLY },
  "/admin/webhooks/[id]": { path: () => "/admin/webhooks/00000000-0000-4000-8000-000000000000", expect: { ...ADMIN_ONLY, admin: "404" } },
  "/audit": { path: () => "/audit", expect: ADMIN_AUDITOR },
  "/audit/data-events": { path: () => "/audit/data-events", expect: ADMIN_AUDITOR },
  "/audit/data-events/export": { path: () => "/audit/data-events/export", expect: roles(["admin", "auditor"], "401") },
  // No checkpoint has this id: readers get past the door to a 404, everyone else is stopped at it.
  "/audit/checkpoints/[id]": { path: () => "/audit/checkpoints/999999999", expect: { ...roles(["admin", "auditor"], "401"), admin: "404", auditor: "404" } },
  // Bearer-token APIs: a browser session is not a token.
  "/api/v1/access/check": { path: () => "/api/v1/access/check?user=x@y.example&role=customer-pii-read", expect: all("401") },
  "/api/v1/access/holders": { path: () => "/api/v1/access/holders?role=customer-pii-read", expect: all("401") },
  "/api/v1/audit/checkpoints": { path: () => "/api/v1/audit/checkpoints", expect: all("401") },
  "/api/v1/events": { path: () => "/api/v1/events", method: "POST", expect: all("401") },
  "/api/v1/verify": { path: () => "/api/v1/verify", method: "GET", expect: all("405") },
  "/api/cron/tick": { path: () => "/api/cron/tick", method: "POST", expect: all("404") },
};

/** Every page and route handler under app/, as a URL pattern. */
function discoverRoutes(dir = path.resolve("app"), prefix = ""): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) {
      out.push(...discoverRoutes(full, /^\(.*\)$/.test(name) ? prefix : `${prefix}/${name}`));
    } else if (name === "page.tsx" || name === "route.ts") {
      out.push(prefix || "/");
    }
  }
  return out;
}

test("every route has an entry in the authorization matrix", () => {
  const missing = discoverRoutes().filter((route) => !MATRIX[route]);
  expect(missing, "add these routes to MATRIX in tests/e2e/authz.spec.ts").toEqual([]);
});

async function outcome(request: APIRequestContext, entry: Entry, ids: Ids): Promise<Outcome> {
  const url = entry.path(ids);
  const response = entry.method === "POST" ? await request.post(url, { maxRedirects: 0, data: {} }) : await request.get(url, { maxRedirects: 0 });
  const status = response.status();
  if (status >= 300 && status < 400) return (response.headers().location ?? "").includes("/signin") ? "signin" : "redirect";
  if (status === 200 || status === 201) return "ok";
  return String(status) as Outcome;
}

async function contextFor(browser: Browser, actor: Actor): Promise<{ page: Page; request: APIRequestContext }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const accounts: Record<Exclude<Actor, "anonymous">, [string, boolean]> = {
    employee: ["ravi.patel", false],
    manager: ["daniel.cho", true],
    otherManager: ["isabel.costa", true],
    admin: ["carmen.diaz", true],
    auditor: ["amir.haddad", true],
  };
  if (actor !== "anonymous") {
    const [key, mfa] = accounts[actor];
    if (mfa) await signInWithMfa(page, key);
    else {
      await signIn(page, key);
      await expect(page).toHaveURL(/\/dashboard/);
    }
  }
  return { page, request: context.request };
}

test("every actor gets exactly the expected outcome on every route, including other people's records", async ({ browser }) => {
  test.setTimeout(300_000);
  const employee = await contextFor(browser, "employee");
  // The employee's own records, which other actors then try to open.
  await completeCourse(employee.page, "confidentiality-acceptable-use");
  const attempt = employee.page.url().match(/attempts\/([0-9a-f-]{36})/)![1];
  const certificate = (await employee.page.getByRole("link", { name: "Download certificate (PDF)" }).getAttribute("href"))!.split("/").pop()!;
  await employee.page.goto("/agreements/employee-nda");
  await employee.page.getByRole("checkbox").check();
  await employee.page.getByRole("button", { name: "Continue to signing" }).click();
  await employee.page.getByLabel("Your password").fill("Clearance-demo-2026");
  await employee.page.getByLabel("Type your full legal name").fill("Ravi Patel");
  await employee.page.getByRole("button", { name: "Sign the agreement" }).click();
  await expect(employee.page).toHaveURL(/signed=/);
  const signature = new URL(employee.page.url()).searchParams.get("signed")!;
  const me = await (await employee.request.get("/account/data/export")).json();
  const ids: Ids = { signature, certificate, attempt, employee: me.person.id };

  const failures: string[] = [];
  for (const actor of ACTORS) {
    const { request } = actor === "employee" ? employee : await contextFor(browser, actor);
    for (const [route, entry] of Object.entries(MATRIX)) {
      const got = await outcome(request, entry, ids);
      if (got !== entry.expect[actor]) failures.push(`${actor} ${entry.method ?? "GET"} ${route}: expected ${entry.expect[actor]}, got ${got}`);
    }
  }
  expect(failures).toEqual([]);
});
