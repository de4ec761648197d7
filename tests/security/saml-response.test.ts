import fc from "fast-check";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import { spMetadataXml } from "@/lib/identity/saml/metadata";
import { samlEndpoints, samlSettingsSchema, type SamlSettings } from "@/lib/identity/saml/settings";
import { samlFailureReasons, verifyResponse, type SamlVerifyResult } from "@/lib/identity/saml/verify-response";

import { startTestIdp, type TestIdp, type TestUser } from "../helpers/saml-idp";
import { anyBytes, anyText, RUNS, TIMEOUT } from "../property/arbitraries";

/**
 * Attacks on the SAML assertion consumer: a person who can get a validly
 * signed assertion for their own account (any employee) rewrites it to sign
 * in as someone else, or posts whatever bytes they like to the ACS.
 */

let idp: TestIdp;
let settings: SamlSettings;
const REQUEST_ID = "_request-under-attack";

const mallory: TestUser = {
  nameId: "mallory@brightline.example",
  attributes: { email: "mallory@brightline.example", name: "Mallory" },
};
const victim = "carmen.diaz@brightline.example";

const decode = (b64: string) => Buffer.from(b64, "base64").toString("utf8");
const encode = (xml: string) => Buffer.from(xml, "utf8").toString("base64");

const verify = (samlResponse: unknown): Promise<SamlVerifyResult> =>
  verifyResponse(settings, samlResponse, {
    expectedRequestId: REQUEST_ID,
    now: new Date(),
    claimOnce: async () => true,
  });

/** Mallory's genuine response to the pending request, as XML. */
async function malloryResponse(): Promise<string> {
  return decode(await idp.respond(mallory, { inResponseTo: REQUEST_ID }));
}

/** The signed assertion inside a response, and a copy that names the victim with the signature cut out. */
function assertionParts(xml: string): { original: string; forged: string } {
  const original = /<saml:Assertion [\s\S]*<\/saml:Assertion>/.exec(xml)![0];
  const forged = original
    .replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, "")
    .replaceAll("mallory@brightline.example", victim);
  return { original, forged };
}

beforeAll(async () => {
  idp = await startTestIdp();
  settings = samlSettingsSchema.parse({
    idpEntityId: idp.entityId,
    idpSsoUrl: idp.ssoUrl,
    idpCertificates: [idp.certificatePem],
    ...samlEndpoints("https://clearance.test", "acme"),
  });
  idp.trust(spMetadataXml(settings));
});
afterAll(() => idp?.close());

describe("XML signature wrapping", () => {
  it("the untouched response signs Mallory in (the attacks below start from a valid one)", async () => {
    const result = await verify(encode(await malloryResponse()));
    expect(result).toMatchObject({ ok: true, identity: { email: "mallory@brightline.example" } });
  });

  it("the forged assertion in place, the signed one hidden in Extensions with the same ID", async () => {
    const xml = await malloryResponse();
    const { original, forged } = assertionParts(xml);
    const attack = xml
      .replace(original, forged)
      .replace("<samlp:Status>", `<samlp:Extensions>${original}</samlp:Extensions><samlp:Status>`);
    expect(await verify(encode(attack))).toEqual({ ok: false, reason: "invalid_signature" });
  });

  it("the forged assertion under a new ID, carrying the signed one in its Advice", async () => {
    const xml = await malloryResponse();
    const { original, forged } = assertionParts(xml);
    const wrapper = forged
      .replace(/ ID="[^"]+"/, ' ID="_forged"')
      .replace("</saml:Conditions>", `</saml:Conditions><saml:Advice>${original}</saml:Advice>`);
    expect(await verify(encode(xml.replace(original, wrapper)))).toEqual({ ok: false, reason: "invalid_signature" });
  });

  it("the forged assertion holding the original signature, the signed assertion inside its ds:Object", async () => {
    const xml = await malloryResponse();
    const { original, forged } = assertionParts(xml);
    const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(original)![0];
    const signedContent = original.replace(signature, "");
    const carrier = signature.replace("</ds:Signature>", `<ds:Object>${signedContent}</ds:Object></ds:Signature>`);
    const attack = forged
      .replace(/ ID="[^"]+"/, ' ID="_forged"')
      .replace(/(<saml:Issuer>[^<]*<\/saml:Issuer>)/, `$1${carrier}`);
    expect(await verify(encode(xml.replace(original, attack)))).toEqual({ ok: false, reason: "invalid_signature" });
  });

  it("a second, unsigned assertion beside the signed one, before or after it", async () => {
    const xml = await malloryResponse();
    const { original, forged } = assertionParts(xml);
    const other = forged.replace(/ ID="[^"]+"/, ' ID="_forged"');
    expect(await verify(encode(xml.replace(original, `${other}${original}`)))).toEqual({
      ok: false,
      reason: "invalid_signature",
    });
    expect(await verify(encode(xml.replace(original, `${original}${other}`)))).toEqual({
      ok: false,
      reason: "invalid_signature",
    });
  });

  it("a comment inside the signed NameID does not cut the address short", async () => {
    const longer: TestUser = {
      nameId: `${victim}.mallory.example`,
      attributes: { email: `${victim}.mallory.example` },
    };
    const xml = decode(await idp.respond(longer, { inResponseTo: REQUEST_ID }));
    // Comments are outside the canonical form, so the signature still holds.
    const attack = xml.replaceAll(`${victim}.mallory.example`, `${victim}<!---->.mallory.example`);
    expect(attack).not.toBe(xml);
    const result = await verify(encode(attack));
    expect(result).toMatchObject({
      ok: true,
      identity: { subject: `${victim}.mallory.example`, email: `${victim}.mallory.example` },
    });
  });
});

describe("hostile documents", () => {
  it("refuses document types and entities before parsing", async () => {
    const xml = await malloryResponse();
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE samlp:Response [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">' +
      '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>';
    expect(await verify(encode(laughs + xml))).toEqual({ ok: false, reason: "malformed" });
    const external = `<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${xml.replace(victim, "&x;")}`;
    expect(await verify(encode(external))).toEqual({ ok: false, reason: "malformed" });
  });

  it("refuses a response larger than any real one without reading it", async () => {
    const xml = await malloryResponse();
    const padded = xml.replace("<samlp:Status>", `<!--${"x".repeat(600_000)}--><samlp:Status>`);
    expect(await verify(encode(padded))).toEqual({ ok: false, reason: "malformed" });
  });
});

describe("whatever is posted, the answer is a refusal, never an exception", () => {
  // Nothing the attacker wrote reaches the log: no parser warnings, no messages.
  const consoleCalls = () => ["log", "info", "warn", "error", "debug"].map((m) => vi.spyOn(console, m as "log"));
  let spies: ReturnType<typeof consoleCalls>;
  beforeEach(() => {
    spies = consoleCalls();
  });
  afterEach(() => {
    for (const spy of spies) {
      expect(spy).not.toHaveBeenCalled();
      spy.mockRestore();
    }
  });

  const isRefusal = (result: SamlVerifyResult) =>
    !result.ok && (samlFailureReasons as readonly string[]).includes(result.reason);

  it(
    "arbitrary text, bytes and values",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            anyText,
            anyText.map((t) => Buffer.from(t).toString("base64")),
            anyBytes.map((b) => Buffer.from(b).toString("base64")),
            fc.anything(),
          ),
          async (input) => {
            expect(isRefusal(await verify(input))).toBe(true);
          },
        ),
        { numRuns: RUNS * 4 },
      );
    },
    TIMEOUT,
  );

  it(
    "XML made of SAML pieces",
    async () => {
      const pieces = fc.constantFrom(
        '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r" Version="2.0">',
        "</samlp:Response>",
        '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a">',
        "</saml:Assertion>",
        '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>',
        `<saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">${"x"}</saml:Issuer>`,
        '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo/></ds:Signature>',
        '<saml:Conditions NotBefore="not a date"/>',
        "<![CDATA[<]]>",
        "<!-- -->",
        "&amp;",
        "&bogus;",
        "<",
        ">",
        '"',
        "\u0000",
      );
      await fc.assert(
        fc.asyncProperty(fc.array(pieces, { maxLength: 20 }), async (parts) => {
          expect(isRefusal(await verify(encode(parts.join(""))))).toBe(true);
        }),
        { numRuns: RUNS * 4 },
      );
    },
    TIMEOUT,
  );

  it(
    "a valid response with one edit never signs in anyone else",
    async () => {
      const xml = await malloryResponse();
      const baseline = await verify(encode(xml));
      expect(baseline.ok).toBe(true);
      const edit = fc.record({
        at: fc.nat({ max: xml.length - 1 }),
        remove: fc.nat({ max: 3 }),
        insert: fc.oneof(fc.constantFrom("", "<", ">", '"', "&", "x", "0", " ", "/", "carmen"), anyText),
      });
      await fc.assert(
        fc.asyncProperty(edit, async ({ at, remove, insert }) => {
          const edited = xml.slice(0, at) + insert + xml.slice(at + remove);
          const result = await verify(encode(edited));
          if (result.ok) expect(result.identity).toEqual(baseline.ok && baseline.identity);
          else expect(isRefusal(result)).toBe(true);
        }),
        { numRuns: RUNS * 4 },
      );
    },
    TIMEOUT,
  );
});
