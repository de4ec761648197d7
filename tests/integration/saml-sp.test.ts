import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { parseIdpMetadata, spMetadataXml } from "@/lib/identity/saml/metadata";
import { samlEndpoints, samlSettingsSchema, type SamlSettings } from "@/lib/identity/saml/settings";
import { startSignIn } from "@/lib/identity/saml/start-sign-in";
import { verifyResponse, type SamlVerifyResult, type VerifyOptions } from "@/lib/identity/saml/verify-response";

import {
  readPostedForm,
  startTestIdp,
  warmUpSchemaValidator,
  type PostedForm,
  type ResponseKnobs,
  type TestIdp,
  type TestUser,
} from "../helpers/saml-idp";

/**
 * Clearance's SAML service provider against a real IdP (samlify) on
 * loopback: the browser's part (follow the redirect, post the form) is done
 * with fetch, and a stand-in for the app serves the SP metadata and the ACS.
 */

let idp: TestIdp;
let app: Server;
let settings: SamlSettings;
/** What the app stand-in keeps per browser: RelayState → the AuthnRequest ID it started. */
const pendingRequests = new Map<string, string>();
/** The app stand-in's assertion store: ids seen once. */
const claimedAssertions = new Set<string>();

const ana: TestUser = {
  nameId: "Ana.Silva@Brightline.example",
  attributes: {
    email: "Ana.Silva@Brightline.example",
    name: "Ana Silva",
    department: "Customer Support",
    manager: "priya.nair@brightline.example",
    title: "Support engineer",
  },
};

function configure(overrides: Partial<SamlSettings> = {}): SamlSettings {
  return samlSettingsSchema.parse({ ...settings, ...overrides });
}

const freshClaims: VerifyOptions["claimOnce"] = async () => true;

/** An SP-initiated sign-in up to the form the IdP makes the browser post. */
async function signIn(
  user: TestUser,
  knobs: ResponseKnobs = {},
  using: SamlSettings = settings,
): Promise<{ form: PostedForm; requestId: string }> {
  const relayState = `rs-${crypto.randomUUID()}`;
  const { redirectUrl, requestId } = await startSignIn(using, { relayState });
  idp.nextSignIn(user, knobs);
  const page = await fetch(redirectUrl, { redirect: "manual" });
  expect(page.status).toBe(200);
  const form = readPostedForm(await page.text());
  expect(form.RelayState).toBe(relayState);
  return { form, requestId };
}

async function signInAndVerify(
  user: TestUser,
  knobs: ResponseKnobs = {},
  using: SamlSettings = settings,
  now = new Date(),
): Promise<SamlVerifyResult> {
  const { form, requestId } = await signIn(user, knobs, using);
  return verifyResponse(using, form.SAMLResponse, { expectedRequestId: requestId, now, claimOnce: freshClaims });
}

beforeAll(async () => {
  app = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method === "GET" && url.pathname === "/api/sso/saml/acme/metadata") {
      res.writeHead(200, { "content-type": "application/samlmetadata+xml" });
      res.end(spMetadataXml(settings));
      return;
    }
    if (req.method === "POST" && url.pathname === "/api/sso/saml/acme/acs") {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (chunk) => (body += chunk));
      req.on("end", async () => {
        const form = new URLSearchParams(body);
        const relayState = form.get("RelayState") ?? "";
        const expectedRequestId = pendingRequests.get(relayState) ?? null;
        pendingRequests.delete(relayState);
        const result = await verifyResponse(settings, form.get("SAMLResponse"), {
          expectedRequestId,
          now: new Date(),
          claimOnce: async (id) => !claimedAssertions.has(id) && !!claimedAssertions.add(id),
        });
        res.writeHead(result.ok ? 200 : 403, { "content-type": "application/json" });
        res.end(JSON.stringify(result));
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;

  idp = await startTestIdp();
  const fromIdp = parseIdpMetadata(await (await fetch(idp.metadataUrl)).text());
  settings = samlSettingsSchema.parse({ ...fromIdp, ...samlEndpoints(appUrl, "acme") });
  idp.trust(await (await fetch(settings.spEntityId)).text());
  await warmUpSchemaValidator();
}, 60_000);

afterAll(async () => {
  await idp?.close();
  await new Promise<void>((resolve) => (app ? app.close(() => resolve()) : resolve()));
});

describe("SP-initiated sign-in over loopback", () => {
  it("settings come from the IdP's metadata, and the IdP reads the SP's", () => {
    expect(settings.idpEntityId).toBe(idp.entityId);
    expect(settings.idpSsoUrl).toBe(idp.ssoUrl);
    expect(settings.idpCertificates).toEqual([idp.certificatePem.replace(/\r\n/g, "\n")]);
    expect(settings.allowIdpInitiated).toBe(false);
    expect(settings.clockSkewSeconds).toBe(60);
  });

  it("start → IdP → form POST to the ACS → a verified identity", async () => {
    const relayState = "after-sign-in-7f3a";
    const { redirectUrl, requestId } = await startSignIn(settings, { relayState });
    pendingRequests.set(relayState, requestId);
    const target = new URL(redirectUrl);
    expect(`${target.origin}${target.pathname}`).toBe(idp.ssoUrl);
    expect(target.searchParams.get("RelayState")).toBe(relayState);
    expect(target.searchParams.has("Signature")).toBe(false);

    const before = idp.requests();
    idp.nextSignIn(ana);
    const page = await fetch(redirectUrl, { redirect: "manual" });
    expect(page.status).toBe(200);
    expect(idp.requests()).toBe(before + 1);
    const form = readPostedForm(await page.text());
    expect(form.action).toBe(settings.acsUrl);

    const posted = await fetch(form.action, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ SAMLResponse: form.SAMLResponse, RelayState: form.RelayState ?? "" }),
    });
    expect(posted.status).toBe(200);
    const result = (await posted.json()) as SamlVerifyResult;
    expect(result).toEqual({
      ok: true,
      identity: {
        subject: "Ana.Silva@Brightline.example",
        subjectFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
        email: "ana.silva@brightline.example",
        emailVerified: true,
        name: "Ana Silva",
        claims: {
          department: "Customer Support",
          manager: "priya.nair@brightline.example",
          title: "Support engineer",
        },
        mfa: false,
        authnContext: "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
        sessionIndex: expect.stringMatching(/^_session-/),
      },
    });

    // The browser posts the same form again: the assertion was used.
    const again = await fetch(form.action, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ SAMLResponse: form.SAMLResponse, RelayState: form.RelayState ?? "" }),
    });
    expect(again.status).toBe(403);
    expect(await again.json()).toEqual({ ok: false, reason: "wrong_in_response_to" });
  });

  it("accepts a response signed on both the message and the assertion", async () => {
    const result = await signInAndVerify(ana, { signResponse: true });
    expect(result.ok).toBe(true);
  });

  it("accepts either certificate during a rotation", async () => {
    const rotating = configure({ idpCertificates: [idp.rogueCertificatePem, idp.certificatePem] });
    expect((await signInAndVerify(ana, {}, rotating)).ok).toBe(true);
    expect((await signInAndVerify(ana, { signingKey: "rogue" }, rotating)).ok).toBe(true);
  });

  it("takes the e-mail from the NameID when no e-mail attribute is sent, and joins first and last names", async () => {
    const result = await signInAndVerify({
      nameId: "li.hua@brightline.example",
      attributes: { firstName: "Hua", lastName: "Li" },
    });
    expect(result).toMatchObject({ ok: true, identity: { email: "li.hua@brightline.example", name: "Hua Li" } });
  });

  it("reads MFA from the authentication context class, the IdP's own classes, and Entra's method claim", async () => {
    const mfa = async (knobs: ResponseKnobs, user = ana, using = settings) => {
      const result = await signInAndVerify(user, knobs, using);
      return result.ok ? result.identity.mfa : result.reason;
    };
    expect(await mfa({ authnContextClassRef: "https://refeds.org/profile/mfa" })).toBe(true);
    expect(await mfa({ authnContextClassRef: "urn:oasis:names:tc:SAML:2.0:ac:classes:Password" })).toBe(false);
    expect(await mfa({ authnContextClassRef: "gold" })).toBe(false);
    expect(await mfa({ authnContextClassRef: "gold" }, ana, configure({ mfaAuthnContexts: ["gold"] }))).toBe(true);
    const entra: TestUser = {
      ...ana,
      attributes: {
        ...ana.attributes,
        "http://schemas.microsoft.com/claims/authnmethodsreferences": [
          "http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password",
          "http://schemas.microsoft.com/claims/multipleauthn",
        ],
      },
    };
    expect(await mfa({}, entra)).toBe(true);
  });
});

describe("refusals", () => {
  const refused = async (knobs: ResponseKnobs, user = ana, using = settings) => {
    const result = await signInAndVerify(user, knobs, using);
    return result.ok ? "accepted" : result.reason;
  };

  it("an assertion for another SP", async () => {
    expect(await refused({ audience: "https://other.example/saml" })).toBe("wrong_audience");
  });

  it("an assertion for another ACS, or a response sent to another destination", async () => {
    expect(await refused({ recipient: "https://evil.example/acs" })).toBe("wrong_recipient");
    expect(await refused({ destination: "https://evil.example/acs" })).toBe("wrong_recipient");
    expect(await refused({ destination: null })).toBe("accepted");
  });

  it("an assertion issued under another entity ID, even when signed with the trusted key", async () => {
    expect(await refused({ issuer: "https://other-idp.example/" })).toBe("wrong_issuer");
  });

  it("an expired assertion, and one not valid yet, with the configured skew either side", async () => {
    expect(await refused({ issuedAt: new Date(Date.now() - 10 * 60_000) })).toBe("expired");
    expect(await refused({ issuedAt: new Date(Date.now() + 5 * 60_000) })).toBe("not_yet_valid");
    expect(await refused({ issuedAt: new Date(Date.now() + 30_000) })).toBe("accepted");

    const issuedAt = new Date(Date.now() - 1000);
    const end = issuedAt.getTime() + 300_000;
    const skew = settings.clockSkewSeconds * 1000;
    const at = async (now: number) => {
      const result = await signInAndVerify(ana, { issuedAt }, settings, new Date(now));
      return result.ok ? "accepted" : result.reason;
    };
    expect(await at(end + skew - 1)).toBe("accepted");
    expect(await at(end + skew)).toBe("expired");
    expect(await at(issuedAt.getTime() - skew)).toBe("accepted");
    expect(await at(issuedAt.getTime() - skew - 1)).toBe("not_yet_valid");
    const strict = configure({ clockSkewSeconds: 0 });
    const strictResult = await signInAndVerify(ana, { issuedAt }, strict, new Date(end));
    expect(strictResult).toEqual({ ok: false, reason: "expired" });
  });

  it("an unsigned response, and a signed response around an unsigned assertion", async () => {
    expect(await refused({ signAssertion: false, signResponse: false })).toBe("invalid_signature");
    expect(await refused({ signAssertion: false, signResponse: true })).toBe("invalid_signature");
  });

  it("an assertion signed by a key the SP does not trust", async () => {
    expect(await refused({ signingKey: "rogue" })).toBe("invalid_signature");
  });

  it("an attribute or the subject changed after signing", async () => {
    expect(await refused({ transform: (xml) => xml.replace(">Customer Support<", ">Legal &amp; Compliance<") })).toBe(
      "invalid_signature",
    );
    expect(
      await refused({
        transform: (xml) =>
          xml.replace(">Ana.Silva@Brightline.example</saml:NameID>", ">carmen@x.example</saml:NameID>"),
      }),
    ).toBe("invalid_signature");
  });

  it("SHA-1 signatures", async () => {
    expect(await refused({ signatureAlgorithm: "sha1" })).toBe("weak_signature");
  });

  it("an answer to another request, or when this browser started none", async () => {
    const { form } = await signIn(ana);
    const other = await startSignIn(settings, { relayState: "x" });
    const verify = (expectedRequestId: string | null) =>
      verifyResponse(settings, form.SAMLResponse, { expectedRequestId, now: new Date(), claimOnce: freshClaims });
    expect(await verify(other.requestId)).toEqual({ ok: false, reason: "wrong_in_response_to" });
    expect(await verify(null)).toEqual({ ok: false, reason: "wrong_in_response_to" });
  });

  it("an unsigned Response InResponseTo that differs from the signed one", async () => {
    const { form, requestId } = await signIn(ana);
    const xml = Buffer.from(form.SAMLResponse, "base64").toString("utf8");
    const forged = xml.replace(/(<samlp:Response [^>]*InResponseTo=")[^"]*"/, '$1_forged"');
    expect(forged).not.toBe(xml);
    const result = await verifyResponse(settings, Buffer.from(forged).toString("base64"), {
      expectedRequestId: requestId,
      now: new Date(),
      claimOnce: freshClaims,
    });
    expect(result).toEqual({ ok: false, reason: "wrong_in_response_to" });
  });

  it("IdP-initiated responses unless the provider allows them", async () => {
    const unsolicited = await idp.respond(ana);
    const options = { expectedRequestId: null, now: new Date(), claimOnce: freshClaims };
    expect(await verifyResponse(settings, unsolicited, options)).toEqual({ ok: false, reason: "unsolicited" });
    const allowing = configure({ allowIdpInitiated: true });
    expect((await verifyResponse(allowing, unsolicited, options)).ok).toBe(true);
    // A browser with a sign-in under way may still arrive from the IdP's dashboard.
    expect((await verifyResponse(allowing, unsolicited, { ...options, expectedRequestId: "_pending" })).ok).toBe(true);
  });

  it("an IdP error status", async () => {
    expect(await refused({ status: "urn:oasis:names:tc:SAML:2.0:status:Responder" })).toBe("idp_error");
  });

  it("a transient NameID, and no e-mail address at all", async () => {
    expect(await refused({}, { ...ana, nameIdFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:transient" })).toBe(
      "transient_subject",
    );
    expect(
      await refused({}, { nameId: "00u1abcd", nameIdFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent" }),
    ).toBe("missing_email");
    expect(
      await refused(
        {},
        {
          nameId: "00u1abcd",
          nameIdFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
          attributes: { email: "not an address" },
        },
      ),
    ).toBe("missing_email");
  });
});

describe("replay", () => {
  it("claims the assertion ID with the end of its validity, and refuses it the second time", async () => {
    const { form, requestId } = await signIn(ana);
    const claims: Array<[string, Date]> = [];
    const seen = new Set<string>();
    const options: VerifyOptions = {
      expectedRequestId: requestId,
      now: new Date(),
      claimOnce: async (id, notOnOrAfter) => {
        claims.push([id, notOnOrAfter]);
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
      },
    };
    expect((await verifyResponse(settings, form.SAMLResponse, options)).ok).toBe(true);
    expect(await verifyResponse(settings, form.SAMLResponse, options)).toEqual({ ok: false, reason: "replayed" });

    const xml = Buffer.from(form.SAMLResponse, "base64").toString("utf8");
    const assertionId = /<saml:Assertion [^>]*ID="([^"]+)"/.exec(xml)![1];
    const notOnOrAfter = /<saml:Conditions [^>]*NotOnOrAfter="([^"]+)"/.exec(xml)![1];
    expect(claims).toHaveLength(2);
    expect(claims[0][0]).toBe(assertionId);
    expect(claims[0][1].getTime()).toBe(Date.parse(notOnOrAfter) + settings.clockSkewSeconds * 1000);
  });

  it("never claims an assertion that fails another check", async () => {
    const { form } = await signIn(ana, { audience: "https://other.example/saml" });
    let calls = 0;
    const result = await verifyResponse(settings, form.SAMLResponse, {
      expectedRequestId: null,
      now: new Date(),
      claimOnce: async () => (calls += 1) > 0,
    });
    expect(result).toEqual({ ok: false, reason: "wrong_audience" });
    expect(calls).toBe(0);
  });

  it("of 30 concurrent verifications of one response, exactly one succeeds", async () => {
    const { form, requestId } = await signIn(ana);
    const seen = new Set<string>();
    // Atomic like an insert on a unique key: check and record in one step.
    const claimOnce = async (id: string) => {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    };
    const results = await Promise.all(
      Array.from({ length: 30 }, () =>
        verifyResponse(settings, form.SAMLResponse, { expectedRequestId: requestId, now: new Date(), claimOnce }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.reason === "replayed")).toHaveLength(29);
  });

  it("lets a store failure reach the caller instead of reporting a verdict", async () => {
    const { form, requestId } = await signIn(ana);
    await expect(
      verifyResponse(settings, form.SAMLResponse, {
        expectedRequestId: requestId,
        now: new Date(),
        claimOnce: async () => {
          throw new Error("database unavailable");
        },
      }),
    ).rejects.toThrow("database unavailable");
  });
});
