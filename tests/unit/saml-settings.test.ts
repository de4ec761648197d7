import { inflateRawSync } from "node:zlib";

import { describe, expect, it } from "vitest";

import { parseIdpMetadata, spMetadataXml } from "@/lib/identity/saml/metadata";
import { samlEndpoints, samlSettingsSchema } from "@/lib/identity/saml/settings";
import { startSignIn } from "@/lib/identity/saml/start-sign-in";
import { attributeOf, childElement, childElements, NS, parseXml } from "@/lib/identity/saml/xml";

import { makeSigningKey } from "../helpers/saml-idp";

const { certificatePem } = makeSigningKey("Unit IdP");
const certificateBody = certificatePem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
const endpoints = samlEndpoints("https://clearance.example.com", "acme");
const minimal = {
  idpEntityId: "https://sts.windows.net/0000-tenant/",
  idpSsoUrl: "https://login.microsoftonline.com/0000-tenant/saml2",
  idpCertificates: [certificatePem],
  spEntityId: endpoints.spEntityId,
  acsUrl: endpoints.acsUrl,
};

describe("samlSettingsSchema", () => {
  it("fills in the safe defaults", () => {
    const settings = samlSettingsSchema.parse(minimal);
    expect(settings).toMatchObject({
      wantAssertionsSigned: true,
      allowIdpInitiated: false,
      clockSkewSeconds: 60,
      mfaAuthnContexts: [],
      attributes: {
        email: "email",
        name: "name",
        firstName: "firstName",
        lastName: "lastName",
        department: "department",
        manager: "manager",
        title: "title",
      },
    });
  });

  it("stores a bare base64 certificate as the same PEM", () => {
    const fromBody = samlSettingsSchema.parse({ ...minimal, idpCertificates: [certificateBody] });
    const fromPem = samlSettingsSchema.parse(minimal);
    expect(fromBody.idpCertificates).toEqual(fromPem.idpCertificates);
    expect(fromPem.idpCertificates[0]).toMatch(
      /^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+\n-----END CERTIFICATE-----\n$/,
    );
  });

  it.each([
    ["no certificate", { idpCertificates: [] }],
    ["no certificate field", { idpCertificates: undefined }],
    ["a certificate that is not one", { idpCertificates: ["MIIBogus=="] }],
    [
      "a private key for a certificate",
      { idpCertificates: ["-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----"] },
    ],
    ["unsigned assertions", { wantAssertionsSigned: false }],
    ["a skew above five minutes", { clockSkewSeconds: 301 }],
    ["a negative skew", { clockSkewSeconds: -1 }],
    ["a fractional skew", { clockSkewSeconds: 1.5 }],
    ["plain http to another host", { idpSsoUrl: "http://idp.example.com/sso" }],
    ["a script URL", { idpSsoUrl: "javascript:alert(1)" }],
    ["credentials in the URL", { idpSsoUrl: "https://user:pass@idp.example.com/sso" }],
    ["an ACS with a fragment", { acsUrl: `${endpoints.acsUrl}#x` }],
    ["an entity ID with a space", { idpEntityId: "https://idp.example.com/ x" }],
    ["an empty entity ID", { spEntityId: " " }],
    ["an empty attribute name", { attributes: { email: "" } }],
  ])("refuses %s", (_what, change) => {
    expect(samlSettingsSchema.safeParse({ ...minimal, ...change }).success).toBe(false);
  });

  it("allows plain http to this machine, for development", () => {
    const local = samlEndpoints("http://localhost:3000", "dev");
    expect(
      samlSettingsSchema.safeParse({ ...minimal, idpSsoUrl: "http://127.0.0.1:8080/realms/x/protocol/saml", ...local })
        .success,
    ).toBe(true);
  });
});

describe("samlEndpoints", () => {
  it("puts metadata (also the SP entity ID) and ACS under /api/sso/saml/<slug>/", () => {
    expect(samlEndpoints("https://clearance.example.com/", "okta-main")).toEqual({
      spEntityId: "https://clearance.example.com/api/sso/saml/okta-main/metadata",
      metadataUrl: "https://clearance.example.com/api/sso/saml/okta-main/metadata",
      acsUrl: "https://clearance.example.com/api/sso/saml/okta-main/acs",
    });
  });

  it.each(["", "Okta", "a/b", "-x", "x-", "a b", "x".repeat(65)])("refuses the slug %j", (slug) => {
    expect(() => samlEndpoints("https://clearance.example.com", slug)).toThrow();
  });
});

describe("spMetadataXml", () => {
  const settings = samlSettingsSchema.parse(minimal);

  it("describes the SP: entity ID, HTTP-POST ACS, e-mail NameIDs, signed assertions wanted", () => {
    const xml = spMetadataXml(settings);
    const doc = parseXml(xml)!;
    const entity = doc.documentElement;
    expect(entity.localName).toBe("EntityDescriptor");
    expect(attributeOf(entity, "entityID")).toBe(endpoints.spEntityId);
    const sp = childElement(entity, NS.metadata, "SPSSODescriptor")!;
    expect(attributeOf(sp, "WantAssertionsSigned")).toBe("true");
    expect(attributeOf(sp, "AuthnRequestsSigned")).toBe("false");
    expect(childElement(sp, NS.metadata, "NameIDFormat")?.textContent).toBe(
      "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
    );
    const acs = childElements(sp, NS.metadata, "AssertionConsumerService");
    expect(acs).toHaveLength(1);
    expect(attributeOf(acs[0], "Binding")).toBe("urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST");
    expect(attributeOf(acs[0], "Location")).toBe(endpoints.acsUrl);
    expect(childElements(sp, NS.metadata, "KeyDescriptor")).toHaveLength(0);
  });

  it("is the same document every time for the same settings", () => {
    expect(spMetadataXml(settings)).toBe(spMetadataXml({ ...settings }));
    expect(spMetadataXml(settings)).not.toBe(
      spMetadataXml({ ...settings, ...samlEndpoints("https://clearance.example.com", "other") }),
    );
  });
});

describe("startSignIn", () => {
  const settings = samlSettingsSchema.parse({ ...minimal, idpSsoUrl: `${minimal.idpSsoUrl}?tenant=keep` });

  it("redirects to the IdP with a deflated AuthnRequest whose ID the caller keeps", async () => {
    const { redirectUrl, requestId } = await startSignIn(settings, { relayState: "opaque-123" });
    const url = new URL(redirectUrl);
    expect(`${url.origin}${url.pathname}`).toBe(minimal.idpSsoUrl);
    expect(url.searchParams.get("tenant")).toBe("keep");
    expect(url.searchParams.get("RelayState")).toBe("opaque-123");
    expect(url.searchParams.has("Signature")).toBe(false);
    const xml = inflateRawSync(Buffer.from(url.searchParams.get("SAMLRequest")!, "base64")).toString("utf8");
    const request = parseXml(xml)!.documentElement;
    expect(request.localName).toBe("AuthnRequest");
    expect(attributeOf(request, "ID")).toBe(requestId);
    expect(requestId).toMatch(/^_[0-9a-f]{40}$/);
    expect(attributeOf(request, "Destination")).toBe(settings.idpSsoUrl);
    expect(attributeOf(request, "AssertionConsumerServiceURL")).toBe(endpoints.acsUrl);
    expect(attributeOf(request, "ProtocolBinding")).toBe("urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST");
    expect(childElement(request, NS.assertion, "Issuer")?.textContent).toBe(endpoints.spEntityId);
    expect(attributeOf(childElement(request, NS.protocol, "NameIDPolicy"), "Format")).toBe(
      "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
    );
    // No RequestedAuthnContext: IdPs would refuse people who signed in another way (a passkey, say).
    expect(childElement(request, NS.protocol, "RequestedAuthnContext")).toBeNull();
  });

  it("makes a new request ID every time", async () => {
    const ids = await Promise.all(
      Array.from({ length: 5 }, async () => (await startSignIn(settings, { relayState: "r" })).requestId),
    );
    expect(new Set(ids).size).toBe(5);
  });

  it("refuses a RelayState longer than SAML allows", async () => {
    await expect(startSignIn(settings, { relayState: "x".repeat(81) })).rejects.toThrow();
    await expect(startSignIn(settings, { relayState: "é".repeat(41) })).rejects.toThrow();
  });
});

describe("parseIdpMetadata", () => {
  const idpMetadata = (body: string) =>
    `<?xml version="1.0"?><EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/entity">${body}</EntityDescriptor>`;
  const keyDescriptor = (use: string | null, cert: string) =>
    `<KeyDescriptor${use ? ` use="${use}"` : ""}><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>${cert}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>`;
  const other = makeSigningKey("Encryption")
    .certificatePem.replace(/-----[A-Z ]+-----/g, "")
    .replace(/\s+/g, "");
  const sso = (binding: string, location: string) =>
    `<SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:${binding}" Location="${location}"/>`;

  it("reads the entity ID, the HTTP-Redirect SSO URL and the signing certificates only", () => {
    const xml = idpMetadata(
      `<IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
        keyDescriptor("signing", certificateBody) +
        keyDescriptor("encryption", other) +
        sso("HTTP-POST", "https://idp.example.com/post") +
        sso("HTTP-Redirect", "https://idp.example.com/redirect") +
        `</IDPSSODescriptor>`,
    );
    const parsed = parseIdpMetadata(xml)!;
    expect(parsed.idpEntityId).toBe("https://idp.example.com/entity");
    expect(parsed.idpSsoUrl).toBe("https://idp.example.com/redirect");
    expect(parsed.idpCertificates).toHaveLength(1);
    expect(samlSettingsSchema.parse({ ...minimal, ...parsed }).idpCertificates).toEqual(
      samlSettingsSchema.parse(minimal).idpCertificates,
    );
  });

  it("takes a KeyDescriptor without use as a signing key, and the one IdP of an EntitiesDescriptor", () => {
    const entity = idpMetadata(
      `<IDPSSODescriptor>${keyDescriptor(null, certificateBody)}${sso("HTTP-Redirect", "https://idp.example.com/r")}</IDPSSODescriptor>`,
    ).replace('<?xml version="1.0"?>', "");
    const xml = `<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata">${entity}</EntitiesDescriptor>`;
    expect(parseIdpMetadata(xml)?.idpCertificates).toHaveLength(1);
  });

  it.each([
    ["not XML", "hello"],
    [
      "no HTTP-Redirect endpoint",
      idpMetadata(
        `<IDPSSODescriptor>${keyDescriptor("signing", certificateBody)}${sso("HTTP-POST", "https://x/p")}</IDPSSODescriptor>`,
      ),
    ],
    [
      "no signing certificate",
      idpMetadata(`<IDPSSODescriptor>${sso("HTTP-Redirect", "https://x/r")}</IDPSSODescriptor>`),
    ],
    ["an SP's metadata", spMetadataXml(samlSettingsSchema.parse(minimal))],
    ["a document type", `<!DOCTYPE x>${idpMetadata("")}`],
  ])("gives nothing for %s", (_what, xml) => {
    expect(parseIdpMetadata(xml)).toBeNull();
  });
});
