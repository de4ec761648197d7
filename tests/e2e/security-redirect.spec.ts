import { expect, test } from "@playwright/test";

import { DEMO_PASSWORD, email } from "./helpers";

// A sign-in link whose callbackUrl points at another site must land the person on this one.
const HOSTILE = [
  "/%5Cevil.example/login",
  "//evil.example/login",
  "/%2F%2Fevil.example/login",
  "https://evil.example/login",
  "/%09/evil.example/login",
  "javascript:alert(1)",
];

test("signing in with a hostile callbackUrl stays on this origin", async ({ page, baseURL }) => {
  const offsite: string[] = [];
  page.on("request", (request) => {
    if (new URL(request.url()).hostname.includes("evil.example")) offsite.push(request.url());
  });
  await page.route(
    (url) => url.hostname.endsWith("evil.example"),
    (route) => route.fulfill({ status: 200, body: "phished" }),
  );
  const origin = new URL(baseURL!).origin;

  await page.goto(`/signin?callbackUrl=${HOSTILE[0]}`);
  await page.getByLabel("Email").fill(email("ana.silva"));
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${origin}/dashboard`);

  // Already signed in: the sign-in page sends the person on at once, through the same check.
  for (const callbackUrl of HOSTILE) {
    await page.goto(`/signin?callbackUrl=${encodeURIComponent(decodeURIComponent(callbackUrl))}`);
    await expect(page).toHaveURL(`${origin}/dashboard`);
    await page.goto(`/signin?callbackUrl=${callbackUrl}`);
    await expect(page).toHaveURL(`${origin}/dashboard`);
  }
  expect(offsite).toEqual([]);

  // next-auth's own redirects (here sign-out) go through the same function.
  const csrf = await (await page.request.get("/api/auth/csrf")).json();
  const signOut = await page.request.post("/api/auth/signout", {
    form: { csrfToken: csrf.csrfToken, callbackUrl: "/\\evil.example/login", json: "true" },
  });
  const { url } = await signOut.json();
  expect(new URL(url).origin).toBe(origin);
  expect(new URL(url).pathname).toBe("/");
});
