import { readdirSync, statSync } from "node:fs";
import path from "node:path";

import AxeBuilder from "@axe-core/playwright";
import { expect, test, type APIRequestContext, type Browser, type Page } from "@playwright/test";

import type { AppRole } from "../../db/schema/people";
import { gate, PERMISSIONS, type GatePerson, type PermissionKey } from "../../lib/auth/permissions";
import { MFA_REQUIRED_ROLES } from "../../lib/auth/roles";
import { completeCourse, signEmployeeNda, signIn, signInWithMfa } from "./helpers";

/**
 * The authorization matrix: every page and route handler, for every kind of
 * actor. Who gets through is read from the permission table
 * (lib/auth/permissions.ts) through the same gate the app uses; what follows
 * the gate when it depends on the record (another person's certificate, an
 * id that does not exist) is written out per entry. A route added without an
 * entry here or in the table fails the first test. IDOR attempts use real
 * records of another person.
 */

type Actor = "anonymous" | "employee" | "manager" | "otherManager" | "admin" | "auditor" | "mfaPending";
type Outcome = "ok" | "signin" | "enrol" | "403" | "404" | "401" | "405" | "redirect";
const ACTORS: Actor[] = ["anonymous", "employee", "manager", "otherManager", "admin", "auditor", "mfaPending"];

/** The demo accounts each actor signs in as, and the roles the demo data gives them. `mfaPending` signs in with a password and never enrols. */
const ACCOUNTS: Record<Exclude<Actor, "anonymous">, { key: string; roles: AppRole[]; mfa: boolean }> = {
  employee: { key: "ravi.patel", roles: [], mfa: false },
  manager: { key: "daniel.cho", roles: ["manager"], mfa: true },
  otherManager: { key: "isabel.costa", roles: ["manager"], mfa: true },
  admin: { key: "carmen.diaz", roles: ["compliance_admin"], mfa: true },
  auditor: { key: "amir.haddad", roles: ["auditor"], mfa: true },
  mfaPending: { key: "jack.thompson", roles: ["manager"], mfa: false },
};

function gatePerson(actor: Actor): GatePerson | null {
  if (actor === "anonymous") return null;
  const { roles, mfa } = ACCOUNTS[actor];
  return {
    roles: ["employee", ...roles],
    mfaEnabled: mfa,
    mfaRequired: roles.some((r) => MFA_REQUIRED_ROLES.includes(r)),
  };
}

/** What the gate makes of an actor on an entry: pages redirect, route handlers and downloads answer with a status. */
function atTheGate(key: PermissionKey, actor: Actor): Outcome {
  const verdict = gate(gatePerson(actor), key);
  const page = key.startsWith("page:");
  if (verdict.ok) return "ok";
  if (verdict.refusal === "signed_out") return page ? "signin" : "401";
  if (verdict.refusal === "mfa_required") return page ? "enrol" : "403";
  return "403";
}

type Ids = { signature: string; certificate: string; attempt: string; employee: string };
/** `pastGate`: the outcome for actors the gate lets in, where it depends on the record or the handler rather than on who they are. */
type Entry = { path: (ids: Ids) => string; method?: "GET" | "POST"; pastGate?: Partial<Record<Actor, Outcome>> };

const SIGNED_IN = (o: Outcome): Partial<Record<Actor, Outcome>> =>
  Object.fromEntries(ACTORS.filter((a) => a !== "anonymous").map((a) => [a, o]));
const EVERYONE = (o: Outcome): Partial<Record<Actor, Outcome>> => Object.fromEntries(ACTORS.map((a) => [a, o]));
// Managers of another team, and anyone asking for an id that does not exist, are told it does not exist.
const NOT_OTHER_TEAM = { otherManager: "404" } as const;

const MATRIX: Record<string, Entry> = {
  "/": { path: () => "/" },
  "/signin": { path: () => "/signin", pastGate: SIGNED_IN("redirect") },
  "/verify": { path: () => "/verify" },
  "/verify/upload": { path: () => "/verify/upload", method: "POST" },
  "/guides": { path: () => "/guides" },
  "/guides/[slug]": { path: () => "/guides/turning-on-mfa" },
  "/guides/feed.xml": { path: () => "/guides/feed.xml" },
  "/privacy": { path: () => "/privacy" },
  "/robots.txt": { path: () => "/robots.txt" },
  "/sitemap.xml": { path: () => "/sitemap.xml" },
  "/partner-sign/[token]": { path: () => "/partner-sign/not-a-real-token-000000000000" },
  // Only the browser that just signed through the link gets its copy.
  "/partner-sign/[token]/document": {
    path: () => "/partner-sign/not-a-real-token-000000000000/document",
    pastGate: Object.fromEntries(ACTORS.map((a) => [a, "404"])),
  },
  // The consent-check PDF only for the browser that confirmed the link's emailed code.
  "/partner-sign/[token]/consent-check": {
    path: () => "/partner-sign/not-a-real-token-000000000000/consent-check",
    pastGate: Object.fromEntries(ACTORS.map((a) => [a, "404"])),
  },
  "/set-password/[token]": { path: () => "/set-password/not-a-real-token-000000000000" },
  "/forgot-password": { path: () => "/forgot-password" },
  "/api/health": { path: () => "/api/health" },
  "/api/health/live": { path: () => "/api/health/live" },
  "/api/health/ready": { path: () => "/api/health/ready" },
  "/api/v1/openapi.json": { path: () => "/api/v1/openapi.json" },
  "/api/auth/[...nextauth]": { path: () => "/api/auth/providers" },
  "/dashboard": { path: () => "/dashboard" },
  "/courses": { path: () => "/courses" },
  "/courses/[courseId]": { path: () => "/courses/incident-reporting" },
  "/courses/[courseId]/lessons/[lesson]": {
    path: () => "/courses/incident-reporting/lessons/phishing-vishing-and-support-scams",
  },
  // Only the person who took the quiz (and compliance reviewers, once submitted) may open an attempt.
  "/courses/[courseId]/attempts/[attemptId]": {
    path: (ids) => `/courses/confidentiality-acceptable-use/attempts/${ids.attempt}`,
    pastGate: { manager: "404", otherManager: "404" },
  },
  // A run of a SCORM package is its learner's alone; a quiz attempt is not one.
  "/courses/[courseId]/play/[attemptId]": {
    path: (ids) => `/courses/confidentiality-acceptable-use/play/${ids.attempt}`,
    pastGate: SIGNED_IN("404"),
  },
  // Past the gate a package that was never uploaded is not found.
  "/scorm/[sha256]/[...path]": { path: () => `/scorm/${"0".repeat(64)}/index.html`, pastGate: SIGNED_IN("404") },
  // Past the gate a commit that does not come from the player's page is refused as not same-origin.
  "/api/scorm/runs/[attemptId]/commit": {
    path: (ids) => `/api/scorm/runs/${ids.attempt}/commit?sco=desk`,
    method: "POST",
    pastGate: SIGNED_IN("403"),
  },
  // Nothing is due in a course or agreement that does not exist: not found, after the gate.
  "/courses/[courseId]/calendar": { path: () => "/courses/no-such-course/calendar", pastGate: SIGNED_IN("404") },
  "/agreements/[agreementId]/calendar": {
    path: () => "/agreements/no-such-agreement/calendar",
    pastGate: SIGNED_IN("404"),
  },
  "/notifications": { path: () => "/notifications" },
  // Only one's own messages: any other id is not found.
  "/notifications/[id]": {
    path: () => "/notifications/00000000-0000-4000-8000-000000000000",
    pastGate: SIGNED_IN("404"),
  },
  "/agreements": { path: () => "/agreements" },
  "/agreements/[agreementId]": { path: () => "/agreements/acceptable-use-attestation" },
  "/access": { path: () => "/access" },
  "/account": { path: () => "/account" },
  "/account/mfa": { path: () => "/account/mfa" },
  "/account/data": { path: () => "/account/data" },
  "/account/data/export": { path: () => "/account/data/export" },
  "/team": { path: () => "/team" },
  "/team/export": { path: () => "/team/export" },
  "/people/[personId]": { path: (ids) => `/people/${ids.employee}`, pastGate: NOT_OTHER_TEAM },
  "/access/approvals": { path: () => "/access/approvals" },
  "/certificates/[id]": { path: (ids) => `/certificates/${ids.certificate}`, pastGate: NOT_OTHER_TEAM },
  // A signing that is not the viewer's own (here: none at all) does not exist.
  "/agreements/consent-check/[ceremonyId]": {
    path: () => "/agreements/consent-check/00000000-0000-4000-8000-000000000000",
    pastGate: SIGNED_IN("404"),
  },
  "/agreements/documents/[id]": { path: (ids) => `/agreements/documents/${ids.signature}`, pastGate: NOT_OTHER_TEAM },
  "/admin": { path: () => "/admin" },
  "/admin/overview": { path: () => "/admin/overview" },
  "/admin/overview/export": { path: () => "/admin/overview/export" },
  "/admin/people": { path: () => "/admin/people" },
  "/admin/people/new": { path: () => "/admin/people/new" },
  "/admin/people/import": { path: () => "/admin/people/import" },
  // An import job that does not exist; the upload answers a request from another origin (none here) with 403.
  "/admin/people/import/[jobId]": {
    path: () => "/admin/people/import/00000000-0000-4000-8000-000000000000",
    pastGate: { admin: "404" },
  },
  "/admin/people/import/[jobId]/status": {
    path: () => "/admin/people/import/00000000-0000-4000-8000-000000000000/status",
    pastGate: { admin: "404" },
  },
  "/admin/people/import/[jobId]/problems": {
    path: () => "/admin/people/import/00000000-0000-4000-8000-000000000000/problems",
    pastGate: { admin: "404" },
  },
  "/admin/people/import/upload": {
    path: () => "/admin/people/import/upload",
    method: "POST",
    pastGate: { admin: "403" },
  },
  // Auditors read a person's record read-only; only compliance admins can change it.
  "/admin/people/[personId]": { path: (ids) => `/admin/people/${ids.employee}` },
  "/admin/partners": { path: () => "/admin/partners" },
  "/admin/content": { path: () => "/admin/content" },
  "/admin/content/[kind]/[id]": { path: () => "/admin/content/agreement/employee-nda" },
  "/admin/content/[kind]/[id]/compare": {
    path: () => "/admin/content/agreement/employee-nda/compare?a=shipped&b=current",
  },
  // No draft is open: the page offers to start one.
  "/admin/content/[kind]/[id]/draft": { path: () => "/admin/content/course/incident-reporting/draft" },
  "/admin/content/export": { path: () => "/admin/content/export" },
  "/admin/content/[kind]/[id]/scorm": { path: () => "/admin/content/course/incident-reporting/scorm" },
  "/admin/content/import": { path: () => "/admin/content/import", method: "POST", pastGate: { admin: "403" } },
  "/admin/content/[kind]/[id]/document": {
    path: () => "/admin/content/agreement/employee-nda/document",
    method: "POST",
    pastGate: { admin: "403" },
  },
  "/admin/content/[kind]/[id]/package": {
    path: () => "/admin/content/course/incident-reporting/package",
    method: "POST",
    pastGate: { admin: "403" },
  },
  // Past the gate a request from the test is refused as not same-origin, like the document upload.
  "/admin/content/[kind]/[id]/images": {
    path: () => "/admin/content/course/incident-reporting/images?name=floor-plan.png",
    method: "POST",
    pastGate: { admin: "403" },
  },
  // No shipped course has images: past the gate, a missing image is not found.
  "/courses/[courseId]/images/[name]": {
    path: () => "/courses/incident-reporting/images/missing.png",
    pastGate: SIGNED_IN("404"),
  },
  // Only an agreement whose document is a PDF has one.
  "/agreements/[agreementId]/pdf": { path: () => "/agreements/employee-nda/pdf", pastGate: SIGNED_IN("404") },
  "/admin/assignments": { path: () => "/admin/assignments" },
  "/admin/assignments/people": { path: () => "/admin/assignments/people?q=ana" },
  "/admin/corrections": { path: () => "/admin/corrections" },
  "/admin/outbox": { path: () => "/admin/outbox" },
  "/admin/outbox/[id]": {
    path: () => "/admin/outbox/00000000-0000-4000-8000-000000000000",
    pastGate: { admin: "404" },
  },
  "/admin/api": { path: () => "/admin/api" },
  "/admin/api/reference": { path: () => "/admin/api/reference" },
  "/admin/webhooks": { path: () => "/admin/webhooks" },
  "/admin/identity": { path: () => "/admin/identity" },
  // Public, and sent back to the sign-in page with the reason: no such provider, or no sign-in under way.
  "/api/sso/oidc/[slug]/start": { path: () => "/api/sso/oidc/no-such-provider/start", pastGate: EVERYONE("signin") },
  "/api/sso/oidc/[slug]/callback": {
    path: () => "/api/sso/oidc/no-such-provider/callback?code=x&state=y",
    pastGate: EVERYONE("signin"),
  },
  // SAML: no such provider has no metadata; its sign-in start and a form posted to its ACS go back to the sign-in page.
  "/api/sso/saml/[slug]/metadata": { path: () => "/api/sso/saml/no-such-provider/metadata", pastGate: EVERYONE("404") },
  "/api/sso/saml/[slug]/start": { path: () => "/api/sso/saml/no-such-provider/start", pastGate: EVERYONE("signin") },
  "/api/sso/saml/[slug]/acs": {
    path: () => "/api/sso/saml/no-such-provider/acs",
    method: "POST",
    pastGate: EVERYONE("signin"),
  },
  "/admin/webhooks/[id]": {
    path: () => "/admin/webhooks/00000000-0000-4000-8000-000000000000",
    pastGate: { admin: "404" },
  },
  "/audit": { path: () => "/audit" },
  "/audit/data-events": { path: () => "/audit/data-events" },
  "/audit/data-events/export": { path: () => "/audit/data-events/export" },
  "/audit/export": { path: () => "/audit/export?format=csv&outcome=refused" },
  "/audit/exceptions": { path: () => "/audit/exceptions" },
  "/audit/exceptions/export": { path: () => "/audit/exceptions/export" },
  "/audit/evidence": { path: () => "/audit/evidence" },
  // A pack that does not exist: readers get past the door to a 404.
  "/audit/evidence/[packId]/status": {
    path: () => "/audit/evidence/00000000-0000-4000-8000-000000000000/status",
    pastGate: { admin: "404", auditor: "404" },
  },
  "/audit/evidence/[packId]/download": {
    path: () => "/audit/evidence/00000000-0000-4000-8000-000000000000/download",
    pastGate: { admin: "404", auditor: "404" },
  },
  // No checkpoint has this id: readers get past the door to a 404.
  "/audit/checkpoints/[id]": { path: () => "/audit/checkpoints/999999999", pastGate: { admin: "404", auditor: "404" } },
  // Bearer-token APIs: a browser session is not a token.
  "/api/v1/access/check": { path: () => "/api/v1/access/check?user=x@y.example&role=customer-pii-read" },
  "/api/v1/access/holders": { path: () => "/api/v1/access/holders?role=customer-pii-read" },
  "/api/v1/access/changes": { path: () => "/api/v1/access/changes" },
  "/access/v1/evaluation": { path: () => "/access/v1/evaluation", method: "POST" },
  "/access/v1/evaluations": { path: () => "/access/v1/evaluations", method: "POST" },
  "/.well-known/authzen-configuration": { path: () => "/.well-known/authzen-configuration" },
  "/api/v1/audit/checkpoints": { path: () => "/api/v1/audit/checkpoints" },
  "/api/v1/events": { path: () => "/api/v1/events", method: "POST" },
  "/api/v1/verify": {
    path: () => "/api/v1/verify",
    method: "GET",
    pastGate: Object.fromEntries(ACTORS.map((a) => [a, "405"])),
  },
  "/scim/v2/Users": { path: () => "/scim/v2/Users" },
  "/scim/v2/Users/[id]": { path: () => "/scim/v2/Users/00000000-0000-4000-8000-000000000000" },
  "/scim/v2/Groups": { path: () => "/scim/v2/Groups" },
  "/scim/v2/Groups/[id]": { path: () => "/scim/v2/Groups/00000000-0000-4000-8000-000000000000" },
  "/scim/v2/ServiceProviderConfig": { path: () => "/scim/v2/ServiceProviderConfig" },
  "/scim/v2/Schemas": { path: () => "/scim/v2/Schemas" },
  "/scim/v2/ResourceTypes": { path: () => "/scim/v2/ResourceTypes" },
  // The e2e server sets METRICS_TOKEN: a browser session is no bearer token, so everyone gets 401.
  "/metrics": { path: () => "/metrics" },
  // The e2e server sets CRON_SECRET: a browser session is no bearer token, so everyone gets 401.
  "/api/cron/tick": {
    path: () => "/api/cron/tick",
    method: "POST",
    pastGate: Object.fromEntries(ACTORS.map((a) => [a, "401"])),
  },
};

/** The table's entry for a URL pattern: a page, a route handler or a download. */
function keyOf(route: string): PermissionKey | undefined {
  return (["page", "route", "download"] as const)
    .map((kind) => `${kind}:${route}`)
    .find((key): key is PermissionKey => key in PERMISSIONS);
}

function expected(route: string, actor: Actor): Outcome {
  const key = keyOf(route)!;
  const outcome = atTheGate(key, actor);
  if (outcome !== "ok") return outcome;
  // Token endpoints check their own credential, and a browser session is not one.
  return MATRIX[route].pastGate?.[actor] ?? (PERMISSIONS[key].who === "token" ? "401" : "ok");
}

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

test("every route has an entry in the authorization matrix and in the permission table", () => {
  const missing = discoverRoutes().filter((route) => !MATRIX[route]);
  expect(missing, "add these routes to MATRIX in tests/e2e/authz.spec.ts").toEqual([]);
  expect(
    Object.keys(MATRIX).filter((route) => !keyOf(route)),
    "add these to lib/auth/permissions.ts",
  ).toEqual([]);
  const tableRoutes = (Object.keys(PERMISSIONS) as PermissionKey[])
    .filter((key) => /^(page|route|download):/.test(key))
    .map((key) => key.replace(/^\w+:/, ""));
  expect(
    tableRoutes.filter((route) => !MATRIX[route]),
    "give these a URL in MATRIX",
  ).toEqual([]);
});

async function outcome(request: APIRequestContext, entry: Entry, ids: Ids): Promise<Outcome> {
  const url = entry.path(ids);
  const response =
    entry.method === "POST"
      ? await request.post(url, { maxRedirects: 0, data: {} })
      : await request.get(url, { maxRedirects: 0 });
  const status = response.status();
  if (status >= 300 && status < 400) {
    const location = response.headers().location ?? "";
    return location.includes("/signin") ? "signin" : location.includes("/account/mfa") ? "enrol" : "redirect";
  }
  if (status === 200 || status === 201) return "ok";
  return String(status) as Outcome;
}

async function contextFor(browser: Browser, actor: Actor): Promise<{ page: Page; request: APIRequestContext }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  if (actor !== "anonymous") {
    const { key, roles, mfa } = ACCOUNTS[actor];
    if (mfa) await signInWithMfa(page, key);
    else {
      await signIn(page, key);
      await expect(page).toHaveURL(roles.length ? /\/account\/mfa/ : /\/dashboard/);
    }
  }
  return { page, request: context.request };
}

test("every actor gets exactly the expected outcome on every route, including other people's records", async ({
  browser,
}) => {
  test.setTimeout(300_000);
  const employee = await contextFor(browser, "employee");
  // The employee's own records, which other actors then try to open.
  await completeCourse(employee.page, "confidentiality-acceptable-use");
  const attempt = employee.page.url().match(/attempts\/([0-9a-f-]{36})/)![1];
  const certificate = (await employee.page
    .getByRole("link", { name: "Download certificate (PDF)" })
    .getAttribute("href"))!
    .split("/")
    .pop()!;
  const signature = await signEmployeeNda(employee.page, "Ravi Patel");
  const me = await (await employee.request.get("/account/data/export")).json();
  const ids: Ids = { signature, certificate, attempt, employee: me.person.id };

  const failures: string[] = [];
  for (const actor of ACTORS) {
    const { request } = actor === "employee" ? employee : await contextFor(browser, actor);
    for (const [route, entry] of Object.entries(MATRIX)) {
      const got = await outcome(request, entry, ids);
      const want = expected(route, actor);
      if (got !== want) failures.push(`${actor} ${entry.method ?? "GET"} ${route}: expected ${want}, got ${got}`);
    }
  }
  expect(failures).toEqual([]);
});

/** The public pages served as plain HTML by route handlers rather than as app pages. */
const HTML_ROUTES = new Set(["/guides", "/guides/[slug]", "/privacy"]);
/** Who opens the pages for the accessibility pass: an employee no other spec uses, their manager, an admin and an auditor (the same roles as ACCOUNTS). */
const A11Y_ACCOUNTS: Partial<Record<Actor, string>> = {
  employee: "elena.petrova",
  manager: "daniel.cho",
  admin: "carmen.diaz",
  auditor: "amir.haddad",
};
const A11Y_ORDER: Actor[] = ["anonymous", "employee", "manager", "admin", "auditor"];

/** The pages of the matrix (and the public HTML routes), each with the first actor in A11Y_ORDER it lets in. */
function pagesToCheck(): { route: string; entry: Entry; actor: Actor }[] {
  return Object.entries(MATRIX).flatMap(([route, entry]) => {
    const key = keyOf(route)!;
    if (entry.method === "POST" || !(key.startsWith("page:") || HTML_ROUTES.has(route))) return [];
    // A page that answers "not found" for every actor is checked as the not-found page it shows.
    const actor =
      A11Y_ORDER.find((a) => expected(route, a) === "ok") ?? A11Y_ORDER.find((a) => expected(route, a) === "404");
    return actor ? [{ route, entry, actor }] : [];
  });
}

// One test per actor, in order: the employee's records (an attempt, a signature) are made first and used after.
test.describe.serial("every page in the matrix passes an accessibility check, opened by someone it lets in", () => {
  let ids: Ids;
  test("every page is opened by someone", () => {
    const checked = new Set(pagesToCheck().map((p) => p.route));
    const pages = Object.keys(MATRIX).filter((r) => keyOf(r)!.startsWith("page:"));
    expect(pages.filter((r) => !checked.has(r))).toEqual([]);
    expect(checked.size).toBeGreaterThan(40);
  });
  for (const actor of A11Y_ORDER) {
    test(`as ${actor}`, async ({ browser }) => {
      test.setTimeout(600_000);
      const page = await (await browser.newContext()).newPage();
      const key = A11Y_ACCOUNTS[actor];
      if (key) {
        if (actor === "employee") await signIn(page, key);
        else await signInWithMfa(page, key);
        await expect(page).toHaveURL(/\/dashboard/);
      }
      if (actor === "employee") {
        await completeCourse(page, "confidentiality-acceptable-use");
        const attempt = page.url().match(/attempts\/([0-9a-f-]{36})/)![1];
        const signature = await signEmployeeNda(page, "Elena Petrova");
        const me = await (await page.request.get("/account/data/export")).json();
        ids = { signature, certificate: "", attempt, employee: me.person.id };
      }
      const failures: string[] = [];
      for (const { route, entry } of pagesToCheck().filter((p) => p.actor === actor)) {
        await page.goto(entry.path(ids));
        await expect(page).toHaveTitle(/\S/);
        const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
        for (const v of results.violations)
          failures.push(`${route}: ${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
      }
      expect(failures).toEqual([]);
    });
  }
});
