import { and, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { auditEvents, departments, identityProviders, people, sessions, ssoIdentities, ssoReplays } from "@/db/schema";
import { FieldError } from "@/lib/errors";
import { listProviders, testProvider } from "@/lib/identity/providers/manage-providers";
import { saveSamlProvider } from "@/lib/identity/providers/save-saml-provider";

import { context, createPerson } from "../helpers/factories";
import { makeSigningKey, startTestIdp, warmUpSchemaValidator, type TestIdp, type TestUser } from "../helpers/saml-idp";
import { APP_URL, ssoAuthorize } from "../helpers/sso";
import { atIdp, configureSamlProvider, postToAcs, samlSignIn, spMetadata, startSamlSignIn } from "../helpers/sso-saml";
import { withTestDatabase } from "../helpers/test-database";

/**
 * Single sign-on through a real SAML identity provider (samlify on a
 * loopback port): the metadata, start and ACS route handlers, the response
 * checks of lib/identity/saml, the shared completion and the "sso" sign-in of
 * next-auth, on a real database.
 */

const database = withTestDatabase();
let idp: TestIdp;
let providerId: string;
let admin: Awaited<ReturnType<typeof configureSamlProvider>>["admin"];
let nextIp = 1;
const freshIp = () => `198.51.100.${nextIp++}`;

beforeAll(async () => {
  idp = await startTestIdp();
  ({ id: providerId, admin } = await configureSamlProvider(database.db(), idp));
  await warmUpSchemaValidator();
}, 60_000);
afterAll(() => idp?.close());
beforeEach(async () => {
  await database
    .db()
    .update(identityProviders)
    .set({ jitProvisioning: false, allowedDomains: ["test.example"], enabled: true })
    .where(eq(identityProviders.id, providerId));
});

let accountNo = 0;
/** A person in Clearance, as the IdP names them. */
async function personAtIdp(status?: "suspended" | "departed") {
  const n = ++accountNo;
  const email = `saml-person-${n}@test.example`;
  const person = await createPerson(database.db(), { email, status });
  const user: TestUser = { nameId: email, attributes: { email: email.toUpperCase(), name: `SAML Person ${n}` } };
  return { person, user };
}

async function refusals(detail: string) {
  const rows = await database
    .db()
    .select({ data: auditEvents.data })
    .from(auditEvents)
    .where(eq(auditEvents.action, "auth.sso_refused"));
  return rows.filter((r) => (r.data as { detail?: string }).detail === detail).length;
}

describe("the service provider's addresses", () => {
  it("serves stable SP metadata naming the ACS, without a session", async () => {
    const response = await spMetadata("test-saml");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/samlmetadata\+xml/);
    const xml = await response.text();
    expect(xml).toContain(`entityID="${APP_URL}/api/sso/saml/test-saml/metadata"`);
    expect(xml).toContain(`Location="${APP_URL}/api/sso/saml/test-saml/acs"`);
    expect(await (await spMetadata("test-saml")).text()).toBe(xml);
    expect((await spMetadata("no-such-idp")).status).toBe(404);
  });

  it("lists the SAML provider's ACS as its redirect address on the admin page", async () => {
    const listed = (await listProviders(admin)).find((p) => p.id === providerId)!;
    expect(listed).toMatchObject({ kind: "saml", redirectUri: `${APP_URL}/api/sso/saml/test-saml/acs` });
    expect(listed.settings).toMatchObject({
      idpEntityId: idp.entityId,
      idpSsoUrl: idp.ssoUrl,
      allowIdpInitiated: false,
    });
  });
});

describe("SAML sign-in", () => {
  it("signs a person in by their verified address: linked by NameID, session says SAML, both audited", async () => {
    const db = database.db();
    const { person, user } = await personAtIdp();
    const ip = freshIp();
    const started = await startSamlSignIn("test-saml", ip, "/courses");
    expect(started.location.startsWith(`${idp.ssoUrl}?SAMLRequest=`)).toBe(true);
    const form = await atIdp(idp, started.location, user);
    expect(form.action).toBe(`${APP_URL}/api/sso/saml/test-saml/acs`);
    expect(form.RelayState).toBe("/courses");
    const back = await postToAcs("test-saml", form, ip, started.requestCookie);
    expect(back.error).toBeNull();
    expect(back.response.status).toBe(303);
    expect(back.location.pathname).toBe("/signin");
    expect(back.location.searchParams.get("callbackUrl")).toBe("/courses");
    const user1 = await ssoAuthorize({ token: back.token! }, back.browserSecret, ip);
    expect(user1.id).toBe(person.id);
    const [session] = await db.select().from(sessions).where(eq(sessions.id, user1.sid));
    expect(session).toMatchObject({ method: "sso_saml", ssoProviderId: providerId });
    const [link] = await db.select().from(ssoIdentities).where(eq(ssoIdentities.personId, person.id));
    expect(link.subject).toBe(user.nameId);
    const events = await db
      .select({ action: auditEvents.action })
      .from(auditEvents)
      .where(eq(auditEvents.targetId, person.id));
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(["auth.sso_linked", "auth.sso_signed_in"]));
    // The request was used up at the ACS.
    expect(await db.select().from(ssoReplays).where(like(ssoReplays.messageId, "authn:%"))).toHaveLength(0);
  });

  it("keeps the page to return to as a path on this site", async () => {
    const { user } = await personAtIdp();
    const ip = freshIp();
    const evil = await startSamlSignIn("test-saml", ip, "https://evil.example/phish");
    const form = await atIdp(idp, evil.location, user);
    expect(form.RelayState).toBe("/dashboard");
    const tampered = await postToAcs("test-saml", { ...form, RelayState: "//evil.example" }, ip, evil.requestCookie);
    expect(tampered.location.origin).toBe(APP_URL);
    expect(tampered.location.searchParams.get("callbackUrl")).toBe("/dashboard");
  });

  it("refuses a response for another audience, and an expired one", async () => {
    const { user } = await personAtIdp();
    const ip = freshIp();
    const before = await refusals("saml_wrong_audience");
    const wrongAudience = await samlSignIn(idp, user, ip, { audience: "https://another-app.example/metadata" });
    expect(wrongAudience).toMatchObject({ token: null, error: "invalid_response", detail: "wrong_audience" });
    expect(await refusals("saml_wrong_audience")).toBe(before + 1);
    const expired = await samlSignIn(idp, user, ip, {
      issuedAt: new Date(Date.now() - 3_600_000),
      lifetimeSeconds: 300,
    });
    expect(expired).toMatchObject({ token: null, error: "invalid_response", detail: "expired" });
  });

  it("refuses a response posted again, and one for a request this app did not start or already answered", async () => {
    const { user } = await personAtIdp();
    const ip = freshIp();
    const started = await startSamlSignIn("test-saml", ip);
    const form = await atIdp(idp, started.location, user);
    expect((await postToAcs("test-saml", form, ip, started.requestCookie)).token).toBeTruthy();
    // The same form again: its request was taken.
    expect(await postToAcs("test-saml", form, ip, started.requestCookie)).toMatchObject({
      token: null,
      error: "invalid_response",
      detail: "wrong_in_response_to",
    });
    // A response to a request id this app never issued, signed by the IdP.
    const unknown = await samlSignIn(idp, user, ip, { inResponseTo: "_0123456789abcdef0123456789abcdef01234567" });
    expect(unknown).toMatchObject({ token: null, detail: "wrong_in_response_to" });
  });

  it("refuses a request that expired at the IdP's login page", async () => {
    const db = database.db();
    const { user } = await personAtIdp();
    const ip = freshIp();
    const started = await startSamlSignIn("test-saml", ip);
    await db
      .update(ssoReplays)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(and(eq(ssoReplays.providerId, providerId), like(ssoReplays.messageId, "authn:%")));
    const back = await postToAcs("test-saml", await atIdp(idp, started.location, user), ip, started.requestCookie);
    expect(back).toMatchObject({ token: null, detail: "wrong_in_response_to" });
  });

  it("accepts a response only from the browser that started the sign-in (no login CSRF)", async () => {
    const { user } = await personAtIdp();
    const ip = freshIp();
    // An attacker starts a sign-in and signs in at the IdP as themselves, then makes another browser post the form.
    const attacker = await startSamlSignIn("test-saml", ip);
    const form = await atIdp(idp, attacker.location, user);
    const victim = await startSamlSignIn("test-saml", freshIp());
    expect(await postToAcs("test-saml", form, freshIp())).toMatchObject({
      token: null,
      detail: "wrong_in_response_to",
    });
    expect(await postToAcs("test-saml", form, freshIp(), victim.requestCookie)).toMatchObject({
      token: null,
      detail: "wrong_in_response_to",
    });
    // The browser that started it still can, once.
    expect((await postToAcs("test-saml", form, ip, attacker.requestCookie)).token).toBeTruthy();
  });

  it("sets the binding cookie HttpOnly, Secure, SameSite=None and scoped to the ACS, and clears it there", async () => {
    const started = await startSamlSignIn("test-saml", freshIp());
    const cookie = started.response.headers.getSetCookie().find((c) => c.startsWith("clearance.saml-request="))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Secure/i);
    expect(cookie).toMatch(/SameSite=none/i);
    expect(cookie).toMatch(/Path=\/api\/sso\/saml\/test-saml\/acs/);
    const back = await postToAcs("test-saml", { SAMLResponse: "" }, freshIp(), started.requestCookie);
    expect(back.response.headers.getSetCookie().find((c) => c.startsWith("clearance.saml-request="))).toMatch(
      /Max-Age=0/i,
    );
  });

  it("accepts one of 30 copies of a response posted together: one handoff, one session", async () => {
    const db = database.db();
    const { person, user } = await personAtIdp();
    const started = await startSamlSignIn("test-saml", freshIp());
    const form = await atIdp(idp, started.location, user);
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => postToAcs("test-saml", form, freshIp(), started.requestCookie)),
    );
    const tokens = answers.filter((a) => a.token);
    expect(tokens).toHaveLength(1);
    expect(answers.filter((a) => a.error === "invalid_response")).toHaveLength(29);
    const exchanged = await Promise.allSettled(
      Array.from({ length: 30 }, () => ssoAuthorize({ token: tokens[0].token! }, tokens[0].browserSecret, freshIp())),
    );
    expect(exchanged.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await db.select().from(sessions).where(eq(sessions.personId, person.id))).toHaveLength(1);
  });

  it("refuses an address outside the provider's allowed domains", async () => {
    const { user } = await personAtIdp();
    await database
      .db()
      .update(identityProviders)
      .set({ allowedDomains: ["other.example"] })
      .where(eq(identityProviders.id, providerId));
    expect(await samlSignIn(idp, user, freshIp())).toMatchObject({ token: null, error: "domain_not_allowed" });
  });

  it("creates nobody without just-in-time creation, and an employee with the mapped attributes with it", async () => {
    const db = database.db();
    await db.insert(departments).values({ id: "eng", name: "Engineering" }).onConflictDoNothing();
    const newcomer: TestUser = {
      nameId: "saml-newcomer@test.example",
      attributes: { email: "saml-newcomer@test.example", name: "New Comer", dept: "Engineering", jobTitle: "Analyst" },
    };
    expect(await samlSignIn(idp, newcomer, freshIp())).toMatchObject({ token: null, error: "no_account" });
    expect(await db.select().from(people).where(eq(people.email, "saml-newcomer@test.example"))).toHaveLength(0);

    const [row] = await db.select().from(identityProviders).where(eq(identityProviders.id, providerId));
    await db
      .update(identityProviders)
      .set({
        jitProvisioning: true,
        departmentClaim: "dept",
        titleClaim: "jobTitle",
        settings: {
          ...(row.settings as object),
          attributes: { ...(row.settings as { attributes: object }).attributes, department: "dept", title: "jobTitle" },
        },
      })
      .where(eq(identityProviders.id, providerId));
    try {
      const ip = freshIp();
      const back = await samlSignIn(idp, newcomer, ip);
      expect(back.error).toBeNull();
      const [created] = await db.select().from(people).where(eq(people.email, "saml-newcomer@test.example"));
      expect(created).toMatchObject({ name: "New Comer", departmentId: "eng", title: "Analyst", roles: ["employee"] });
      expect((await ssoAuthorize({ token: back.token! }, back.browserSecret, ip)).id).toBe(created.id);
    } finally {
      await db
        .update(identityProviders)
        .set({ departmentClaim: null, titleClaim: null, settings: row.settings })
        .where(eq(identityProviders.id, providerId));
    }
  });

  it("refuses suspended and departed people", async () => {
    for (const status of ["suspended", "departed"] as const) {
      const { user } = await personAtIdp(status);
      expect(await samlSignIn(idp, user, freshIp()), status).toMatchObject({ token: null, error: "account_inactive" });
    }
  });

  it("refuses a disabled provider, at the start and at the ACS, and an unknown one", async () => {
    const db = database.db();
    const { user } = await personAtIdp();
    const ip = freshIp();
    const started = await startSamlSignIn("test-saml", ip);
    const form = await atIdp(idp, started.location, user);
    await db.update(identityProviders).set({ enabled: false }).where(eq(identityProviders.id, providerId));
    expect(await postToAcs("test-saml", form, ip)).toMatchObject({ token: null, error: "provider_disabled" });
    expect((await startSamlSignIn("test-saml", ip)).location).toContain("sso_error=provider_disabled");
    expect((await startSamlSignIn("no-such-idp", ip)).location).toContain("sso_error=provider_unknown");
    expect(await postToAcs("no-such-idp", form, ip)).toMatchObject({ token: null, error: "provider_unknown" });
  });

  it("refuses an IdP-initiated response unless the provider allows them, and then takes it once", async () => {
    const db = database.db();
    const { person, user } = await personAtIdp();
    const ip = freshIp();
    const unsolicited = await idp.respond(user);
    expect(await postToAcs("test-saml", { SAMLResponse: unsolicited }, ip)).toMatchObject({
      token: null,
      error: "invalid_response",
      detail: "unsolicited",
    });
    const [row] = await db.select().from(identityProviders).where(eq(identityProviders.id, providerId));
    await db
      .update(identityProviders)
      .set({ settings: { ...(row.settings as object), allowIdpInitiated: true } })
      .where(eq(identityProviders.id, providerId));
    try {
      const fresh = await idp.respond(user);
      const back = await postToAcs("test-saml", { SAMLResponse: fresh, RelayState: "/courses" }, ip);
      expect(back.error).toBeNull();
      expect(back.location.searchParams.get("callbackUrl")).toBe("/courses");
      expect((await ssoAuthorize({ token: back.token! }, back.browserSecret, ip)).id).toBe(person.id);
      expect(await postToAcs("test-saml", { SAMLResponse: fresh }, ip)).toMatchObject({
        token: null,
        error: "replayed",
        detail: "replayed",
      });
    } finally {
      await db.update(identityProviders).set({ settings: row.settings }).where(eq(identityProviders.id, providerId));
    }
  });

  it("refuses a form without a SAMLResponse, a body past the limit, and one signed by an untrusted key", async () => {
    const { user } = await personAtIdp();
    const ip = freshIp();
    expect(await postToAcs("test-saml", { SAMLResponse: "" }, ip)).toMatchObject({ detail: "malformed" });
    // Past the API's body limit: refused before anything reads it.
    const before = await refusals("saml_body_too_large");
    expect(await postToAcs("test-saml", { SAMLResponse: "A".repeat(300 * 1024) }, ip)).toMatchObject({
      token: null,
      error: "invalid_response",
      detail: "malformed",
    });
    expect(await refusals("saml_body_too_large")).toBe(before + 1);
    expect(await samlSignIn(idp, user, ip, { signingKey: "rogue" })).toMatchObject({
      token: null,
      detail: "invalid_signature",
    });
  });
});

describe("the admin's SAML provider", () => {
  const base = {
    name: "Another SAML",
    slug: "another-saml",
    allowedDomains: ["test.example"],
    jitProvisioning: false,
    acceptIdpMfa: false,
    allowIdpInitiated: false,
    emailAttribute: "email",
    nameAttribute: "name",
    departmentClaim: null,
    managerClaim: null,
    titleClaim: null,
    mfaAuthnContexts: [],
  };
  let attempt = 0;
  const fieldOf = async (change: Partial<Parameters<typeof saveSamlProvider>[1]>) => {
    try {
      await saveSamlProvider(
        admin,
        { ...base, slug: `bad-${++attempt}`, metadataXml: "", ...change },
        context(admin.id),
      );
    } catch (error) {
      if (error instanceof FieldError) return [error.field, error.message];
      throw error;
    }
    return null;
  };

  it("names the field that is wrong: bad XML, no certificate, no SSO URL, a trailing hyphen", async () => {
    const metadata = await (await fetch(idp.metadataUrl)).text();
    expect(await fieldOf({ metadataXml: "<md:EntityDescriptor" })).toEqual([
      "metadataXml",
      expect.stringContaining("not well-formed XML"),
    ]);
    expect(
      await fieldOf({ metadataXml: metadata.replace(/<(\w+:)?KeyDescriptor[\s\S]*<\/(\w+:)?KeyDescriptor>/, "") }),
    ).toEqual(["metadataXml", expect.stringContaining("no signing certificate")]);
    expect(await fieldOf({ metadataXml: metadata.replaceAll("bindings:HTTP-Redirect", "bindings:HTTP-POST") })).toEqual(
      ["metadataXml", expect.stringContaining("no single sign-on URL")],
    );
    expect(await fieldOf({ metadataXml: metadata, slug: "okta-" })).toEqual(["slug", expect.any(String)]);
    expect(
      await fieldOf({
        idpEntityId: "https://idp.example",
        idpSsoUrl: "https://idp.example/sso",
        idpCertificate: "AAAA",
      }),
    ).toEqual(["idpCertificate", expect.stringContaining("certificate")]);
    expect(
      await fieldOf({ idpEntityId: "https://idp.example", idpSsoUrl: "ftp://x", idpCertificate: idp.certificatePem }),
    ).toEqual(["idpSsoUrl", expect.any(String)]);
  });

  it("is saved from typed fields too, and its test reports the certificate's dates", async () => {
    const ok = await saveSamlProvider(
      admin,
      {
        ...base,
        metadataXml: "",
        idpEntityId: idp.entityId,
        idpSsoUrl: idp.ssoUrl,
        idpCertificate: idp.certificatePem,
      },
      context(admin.id),
    );
    const passed = await testProvider(admin, ok, context(admin.id));
    expect(passed).toMatchObject({ ok: true, message: expect.stringMatching(/is valid until \d{1,2} \w{3} \d{4}/) });

    const old = makeSigningKey("Expired IdP");
    const expired = await saveSamlProvider(
      admin,
      {
        ...base,
        slug: "expired-saml",
        metadataXml: "",
        idpEntityId: "https://old.example",
        idpSsoUrl: "https://old.example/sso",
        idpCertificate: old.certificatePem,
      },
      context(admin.id),
    );
    const later = new Date(Date.now() + 400 * 86_400_000);
    expect(await testProvider(admin, expired, context(admin.id), later)).toMatchObject({
      ok: false,
      message: expect.stringContaining("expired on"),
    });
  });
});
