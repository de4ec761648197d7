import { and, eq } from "drizzle-orm";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import {
  auditEvents,
  departments,
  identityProviders,
  organisationSettings,
  outbox,
  people,
  sessions,
  ssoHandoffs,
  ssoIdentities,
} from "@/db/schema";
import { authenticate } from "@/lib/auth/authenticate";
import { confirmMfaEnrolment, startMfaEnrolment } from "@/lib/auth/mfa";
import { requestPasswordReset } from "@/lib/auth/password-reset";
import { mustEnrolMfa } from "@/lib/auth/permissions";
import { stepAt, totpAt } from "@/lib/crypto/totp";
import { listProviders, setSsoOnlyPolicy } from "@/lib/identity/providers/manage-providers";

import { context, createPerson, TEST_PASSWORD, viewerOf } from "../helpers/factories";
import { IDP_CLIENT_SECRET, startTestIdp, type TestIdp } from "../helpers/oidc-idp";
import {
  callback,
  callbackUrlFor,
  configureProvider,
  signInThroughIdp,
  ssoAuthorize,
  startSignIn,
} from "../helpers/sso";
import { withTestDatabase } from "../helpers/test-database";

/**
 * Single sign-on through a real OpenID Provider (oidc-provider on a loopback
 * port): the route handlers, the ID token checks of openid-client, the
 * completion rules and the "sso" sign-in of next-auth, on a real database.
 */

const database = withTestDatabase();
let idp: TestIdp;
let providerId: string;
let admin: ReturnType<typeof viewerOf>;
let nextIp = 1;
/** Each test signs in from its own address, so one test's refusals never pause another's tries. */
const freshIp = () => `203.0.113.${nextIp++}`;

beforeAll(async () => {
  idp = await startTestIdp({ redirectUris: [callbackUrlFor("test-idp")] });
  ({ id: providerId, admin } = await configureProvider(database.db(), idp));
});
afterAll(() => idp?.close());
beforeEach(async () => {
  idp.tamperIdToken(null);
  await database
    .db()
    .update(identityProviders)
    .set({ jitProvisioning: false, acceptIdpMfa: false, allowedDomains: ["test.example"], enabled: true })
    .where(eq(identityProviders.id, providerId));
});

let accountNo = 0;
/** A person in Clearance and their account at the provider. */
async function personAtIdp(
  options: { roles?: ("manager" | "compliance_admin" | "auditor")[]; mfa?: boolean; verified?: boolean } = {},
) {
  const n = ++accountNo;
  const email = `sso-person-${n}@test.example`;
  const person = await createPerson(database.db(), { email, roles: options.roles });
  idp.accounts.set(`user${n}`, {
    sub: `sub-${n}`,
    email,
    email_verified: options.verified ?? true,
    name: `SSO Person ${n}`,
    mfa: options.mfa,
  });
  return { person, login: `user${n}` };
}

async function refusals(reason: string) {
  const rows = await database
    .db()
    .select({ data: auditEvents.data })
    .from(auditEvents)
    .where(eq(auditEvents.action, "auth.sso_refused"));
  return rows.filter((r) => (r.data as { reason?: string }).reason === reason).length;
}

describe("OIDC sign-in", () => {
  it("signs a person in: the provider's subject is linked, the session says how, and both are audited", async () => {
    const db = database.db();
    const { person, login } = await personAtIdp();
    const ip = freshIp();
    const back = await signInThroughIdp(idp, login, ip);
    expect(back.error).toBeNull();
    expect(back.location.pathname).toBe("/signin");
    expect(back.response.headers.getSetCookie().join(";")).toMatch(/clearance\.sso-browser=[^;]+;.*HttpOnly/i);
    const user = await ssoAuthorize({ token: back.token! }, back.browserSecret, ip);
    expect(user.id).toBe(person.id);
    const [session] = await db.select().from(sessions).where(eq(sessions.id, user.sid));
    expect(session).toMatchObject({ method: "sso_oidc", ssoProviderId: providerId, mfaByIdp: false });
    const [link] = await db.select().from(ssoIdentities).where(eq(ssoIdentities.personId, person.id));
    expect(link.subject).toBe(`sub-${accountNo}`);
    const events = await db
      .select({ action: auditEvents.action })
      .from(auditEvents)
      .where(eq(auditEvents.targetId, person.id));
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(["auth.sso_linked", "auth.sso_signed_in"]));
  });

  it("keeps the page to return to, as a path on this site only", async () => {
    const { login } = await personAtIdp();
    const ip = freshIp();
    const started = await startSignIn("test-idp", ip, "/courses");
    const back = await callback("test-idp", await idp.login(started.location, login), ip, started.cookie);
    expect(back.location.searchParams.get("callbackUrl")).toBe("/courses");
    const evil = await startSignIn("test-idp", ip, "https://evil.example/phish");
    const again = await callback("test-idp", await idp.login(evil.location, login), ip, evil.cookie);
    expect(again.location.origin).toBe("http://localhost:3000");
    expect(again.location.searchParams.get("callbackUrl")).toBe("/dashboard");
  });

  it("refuses a callback whose state is not this browser's, and a callback used twice", async () => {
    const { login } = await personAtIdp();
    const ip = freshIp();
    const mine = await startSignIn("test-idp", ip);
    const theirs = await startSignIn("test-idp", ip);
    const back = await idp.login(mine.location, login);
    // Another browser's request cookie (an attacker's own sign-in) with this redirect: refused.
    const crossed = await callback("test-idp", back, ip, theirs.cookie);
    expect(crossed).toMatchObject({ token: null, error: "invalid_response" });
    const noCookie = await callback("test-idp", back, ip, undefined);
    expect(noCookie).toMatchObject({ token: null, error: "invalid_response" });
    const first = await callback("test-idp", back, ip, mine.cookie);
    expect(first.token).toBeTruthy();
    const replay = await callback("test-idp", back, ip, mine.cookie);
    expect(replay).toMatchObject({ token: null, error: "replayed" });
  });

  it("refuses an ID token replayed into another sign-in (its nonce is not this one's)", async () => {
    const { login } = await personAtIdp();
    const ip = freshIp();
    let captured = "";
    idp.tamperIdToken(async (token) => {
      captured = token;
      return token;
    });
    expect((await signInThroughIdp(idp, login, ip)).token).toBeTruthy();
    idp.tamperIdToken(async () => captured);
    const replayed = await signInThroughIdp(idp, login, ip);
    expect(replayed).toMatchObject({ token: null, error: "invalid_response" });
  });

  it("refuses ID tokens for another audience or from another issuer, even signed with the provider's key", async () => {
    const { login } = await personAtIdp();
    const ip = freshIp();
    for (const change of [{ aud: "another-client" }, { iss: "http://127.0.0.1:1" }, { exp: 1 }]) {
      idp.tamperIdToken(async (token) => idp.signIdToken({ ...decodeJwt(token), ...change }));
      const back = await signInThroughIdp(idp, login, ip);
      expect(back, JSON.stringify(change)).toMatchObject({ token: null, error: "invalid_response" });
    }
    // The untouched token from the same provider is accepted: the refusals above were the changes.
    idp.tamperIdToken(async (token) => idp.signIdToken({ ...decodeJwt(token) }));
    expect((await signInThroughIdp(idp, login, ip)).token).toBeTruthy();
  });

  it("refuses an address the provider has not verified", async () => {
    const { login } = await personAtIdp({ verified: false });
    const before = await refusals("email_unverified");
    expect(await signInThroughIdp(idp, login, freshIp())).toMatchObject({ token: null, error: "email_unverified" });
    expect(await refusals("email_unverified")).toBe(before + 1);
  });

  it("refuses an address outside the provider's allowed domains", async () => {
    const { login } = await personAtIdp();
    await database
      .db()
      .update(identityProviders)
      .set({ allowedDomains: ["other.example"] })
      .where(eq(identityProviders.id, providerId));
    expect(await signInThroughIdp(idp, login, freshIp())).toMatchObject({ token: null, error: "domain_not_allowed" });
  });

  it("creates nobody without just-in-time creation, and an employee with the mapped claims with it", async () => {
    const db = database.db();
    await db.insert(departments).values({ id: "eng", name: "Engineering" }).onConflictDoNothing();
    const manager = await createPerson(db, { email: "boss@test.example", roles: ["manager"] });
    idp.accounts.set("newcomer", {
      sub: "sub-newcomer",
      email: "Newcomer@Test.example",
      email_verified: true,
      name: "New Comer",
      extra: { department: "Engineering", title: "Support engineer", manager: "boss@test.example" },
    });
    expect(await signInThroughIdp(idp, "newcomer", freshIp())).toMatchObject({ token: null, error: "no_account" });
    expect(await db.select().from(people).where(eq(people.email, "newcomer@test.example"))).toHaveLength(0);

    await db
      .update(identityProviders)
      .set({ jitProvisioning: true, departmentClaim: "department", managerClaim: "manager", titleClaim: "title" })
      .where(eq(identityProviders.id, providerId));
    const ip = freshIp();
    const back = await signInThroughIdp(idp, "newcomer", ip);
    expect(back.error).toBeNull();
    const [created] = await db.select().from(people).where(eq(people.email, "newcomer@test.example"));
    expect(created).toMatchObject({
      name: "New Comer",
      roles: ["employee"],
      departmentId: "eng",
      title: "Support engineer",
      managerId: manager.id,
      passwordHash: null,
      status: "active",
    });
    const [event] = await db
      .select({ data: auditEvents.data })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "people.created_by_sso"), eq(auditEvents.targetId, created.id)));
    expect(event.data).toMatchObject({ provider: providerId, email: "newcomer@test.example" });
    expect((await ssoAuthorize({ token: back.token! }, back.browserSecret, ip)).id).toBe(created.id);
    await db
      .update(identityProviders)
      .set({ departmentClaim: null, managerClaim: null, titleClaim: null })
      .where(eq(identityProviders.id, providerId));
  });

  it("refuses suspended and departed people", async () => {
    const db = database.db();
    for (const status of ["suspended", "departed"] as const) {
      const { person, login } = await personAtIdp();
      await db.update(people).set({ status }).where(eq(people.id, person.id));
      expect(await signInThroughIdp(idp, login, freshIp()), status).toMatchObject({
        token: null,
        error: "account_inactive",
      });
    }
  });

  it("keeps the link by subject: an address moved at the provider cannot reach another person's account", async () => {
    const db = database.db();
    const { person: first, login } = await personAtIdp();
    const ip = freshIp();
    expect((await signInThroughIdp(idp, login, ip)).token).toBeTruthy();
    // Another subject now claims the first person's address: refused, the first person stays theirs.
    idp.accounts.set("impostor", { sub: "sub-impostor", email: first.email, email_verified: true });
    expect(await signInThroughIdp(idp, "impostor", ip)).toMatchObject({ token: null, error: "subject_conflict" });
    // The linked subject changes its address to someone else's: it still signs in as the first person.
    const { person: second } = await personAtIdp();
    idp.accounts.set(login, { ...idp.accounts.get(login)!, email: second.email });
    const back = await signInThroughIdp(idp, login, ip);
    expect((await ssoAuthorize({ token: back.token! }, back.browserSecret, ip)).id).toBe(first.id);
    expect(await db.select().from(ssoIdentities).where(eq(ssoIdentities.personId, second.id))).toHaveLength(0);
  });

  it("refuses a disabled provider's sign-in and an unknown one", async () => {
    const { login } = await personAtIdp();
    const ip = freshIp();
    const started = await startSignIn("test-idp", ip);
    const back = await idp.login(started.location, login);
    await database.db().update(identityProviders).set({ enabled: false }).where(eq(identityProviders.id, providerId));
    expect(await callback("test-idp", back, ip, started.cookie)).toMatchObject({ error: "provider_disabled" });
    expect((await startSignIn("test-idp", ip)).location).toContain("sso_error=provider_disabled");
    expect((await startSignIn("no-such-idp", ip)).location).toContain("sso_error=provider_unknown");
  });

  it("opens one session for 30 callbacks sent together with one code", async () => {
    const db = database.db();
    const { person, login } = await personAtIdp();
    const started = await startSignIn("test-idp", freshIp());
    const back = await idp.login(started.location, login);
    // From 30 addresses: the code and the browser's cookie copied everywhere at once.
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => callback("test-idp", back, freshIp(), started.cookie)),
    );
    const tokens = answers.filter((a) => a.token);
    expect(tokens).toHaveLength(1);
    const exchanged = await Promise.allSettled(
      Array.from({ length: 30 }, () => ssoAuthorize({ token: tokens[0].token! }, tokens[0].browserSecret, freshIp())),
    );
    expect(exchanged.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const open = await db.select().from(sessions).where(eq(sessions.personId, person.id));
    expect(open).toHaveLength(1);
  });
});

describe("second factor for privileged roles", () => {
  it("accepts the provider's MFA when the provider is trusted for it, and only then", async () => {
    const db = database.db();
    const { person, login } = await personAtIdp({ roles: ["manager"], mfa: true });
    const ip = freshIp();
    const untrusted = await signInThroughIdp(idp, login, ip);
    const plain = await ssoAuthorize({ token: untrusted.token! }, untrusted.browserSecret, ip);
    const [withoutMfa] = await db.select().from(sessions).where(eq(sessions.id, plain.sid));
    expect(withoutMfa.mfaByIdp).toBe(false);
    // Not enrolled at Clearance and no trusted MFA: the gate sends them to enrol, as after a password.
    expect(mustEnrolMfa({ ...viewerOf(person), mfaByIdp: withoutMfa.mfaByIdp })).toBe(true);

    await db.update(identityProviders).set({ acceptIdpMfa: true }).where(eq(identityProviders.id, providerId));
    const trusted = await signInThroughIdp(idp, login, ip);
    const user = await ssoAuthorize({ token: trusted.token! }, trusted.browserSecret, ip);
    const [session] = await db.select().from(sessions).where(eq(sessions.id, user.sid));
    expect(session.mfaByIdp).toBe(true);
    expect(mustEnrolMfa({ ...viewerOf(person), mfaByIdp: session.mfaByIdp })).toBe(false);
    const [event] = await db
      .select({ data: auditEvents.data })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "auth.sso_signed_in"), eq(auditEvents.targetId, person.id)))
      .orderBy(auditEvents.id);
    expect(event.data).toMatchObject({ mfa: "none" });

    // A sign-in without MFA at the provider is not vouched for, trusted or not.
    const { login: noMfa, person: other } = await personAtIdp({ roles: ["auditor"], mfa: false });
    const back = await signInThroughIdp(idp, noMfa, ip);
    const otherUser = await ssoAuthorize({ token: back.token! }, back.browserSecret, ip);
    const [otherSession] = await db.select().from(sessions).where(eq(sessions.id, otherUser.sid));
    expect(otherSession.mfaByIdp).toBe(false);
    expect(otherUser.id).toBe(other.id);
  });

  it("asks an enrolled privileged person for Clearance's own code when the provider did not vouch for MFA", async () => {
    const db = database.db();
    const { person, login } = await personAtIdp({ roles: ["compliance_admin"] });
    const viewer = viewerOf(person);
    const enrolment = await startMfaEnrolment(viewer);
    const enrolledAt = new Date(Date.now() - 120_000);
    const confirmed = await confirmMfaEnrolment(
      viewer,
      totpAt(enrolment.secret, stepAt(enrolledAt)),
      context(person.id),
      enrolledAt,
    );
    expect(confirmed.ok).toBe(true);
    const ip = freshIp();
    const back = await signInThroughIdp(idp, login, ip);
    await expect(ssoAuthorize({ token: back.token! }, back.browserSecret, ip)).rejects.toThrow("mfa_required:totp");
    await expect(ssoAuthorize({ token: back.token!, code: "000000" }, back.browserSecret, ip)).rejects.toThrow(
      "invalid_code",
    );
    const user = await ssoAuthorize(
      { token: back.token!, code: totpAt(enrolment.secret, stepAt(new Date())) },
      back.browserSecret,
      ip,
    );
    expect(user.id).toBe(person.id);
    const [event] = await db
      .select({ data: auditEvents.data })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "auth.sso_signed_in"), eq(auditEvents.targetId, person.id)));
    expect(event.data).toMatchObject({ mfa: "totp" });
  });
});

describe("SSO-only policy", () => {
  it("refuses privileged people's passwords and reset links, and leaves employees alone", async () => {
    const db = database.db();
    const manager = await createPerson(db, { email: "policy-manager@test.example", roles: ["manager"] });
    const employee = await createPerson(db, { email: "policy-employee@test.example" });
    await setSsoOnlyPolicy(admin, "privileged", context(admin.id));
    try {
      const ip = { ip: freshIp(), userAgent: "vitest" };
      expect(await authenticate({ email: manager.email, password: TEST_PASSWORD, ...ip })).toMatchObject({
        ok: false,
        reason: "sso_required",
      });
      // A wrong password says nothing about the policy.
      expect(await authenticate({ email: manager.email, password: "wrong-password", ...ip })).toMatchObject({
        reason: "invalid_credentials",
      });
      expect(await authenticate({ email: employee.email, password: TEST_PASSWORD, ...ip })).toMatchObject({ ok: true });
      expect(await requestPasswordReset(manager.email, ip)).toBe("sso_only");
      expect(await requestPasswordReset(employee.email, ip)).toBe("sent");
      const mails = await db.select({ to: outbox.toEmail }).from(outbox).where(eq(outbox.kind, "password-reset"));
      expect(mails.map((m) => m.to)).not.toContain(manager.email);

      await setSsoOnlyPolicy(admin, "everyone", context(admin.id));
      expect(await authenticate({ email: employee.email, password: TEST_PASSWORD, ...ip })).toMatchObject({
        reason: "sso_required",
      });
    } finally {
      await setSsoOnlyPolicy(admin, "off", context(admin.id));
    }
    const [settings] = await db.select().from(organisationSettings);
    expect(settings.ssoOnly).toBe("off");
  });

  it("cannot be turned on without an enabled provider, nor leave its last provider to be disabled", async () => {
    const db = database.db();
    await db.update(identityProviders).set({ enabled: false }).where(eq(identityProviders.id, providerId));
    await expect(setSsoOnlyPolicy(admin, "everyone", context(admin.id))).rejects.toThrow(/Enable an identity provider/);
    await db.update(identityProviders).set({ enabled: true }).where(eq(identityProviders.id, providerId));
    await setSsoOnlyPolicy(admin, "everyone", context(admin.id));
    const { setProviderEnabled } = await import("@/lib/identity/providers/manage-providers");
    await expect(setProviderEnabled(admin, providerId, false, context(admin.id))).rejects.toThrow(/policy/);
    await setSsoOnlyPolicy(admin, "off", context(admin.id));
  });
});

describe("the provider's secret", () => {
  it("is stored encrypted and never returned to the admin page or written to the audit log", async () => {
    const db = database.db();
    const [row] = await db.select().from(identityProviders).where(eq(identityProviders.id, providerId));
    expect(row.secretEnc).toMatch(/^v1\./);
    expect(row.secretEnc).not.toContain(IDP_CLIENT_SECRET);
    const listed = JSON.stringify(await listProviders(admin));
    expect(listed).not.toContain(IDP_CLIENT_SECRET);
    expect(listed).not.toContain(row.secretEnc!);
    expect(listed).toContain('"hasSecret":true');
    const audit = JSON.stringify(await db.select({ data: auditEvents.data }).from(auditEvents));
    expect(audit).not.toContain(IDP_CLIENT_SECRET);
    expect(await db.select().from(ssoHandoffs).limit(1)).not.toHaveLength(0);
  });
});
