import { describe, expect, it } from "vitest";

import {
  domainAllowed,
  domainList,
  oidcReportsMfa,
  oidcSettingsSchema,
  providerSettings,
} from "@/lib/identity/providers/settings";
import { ssoOnlyApplies } from "@/lib/identity/sso/policy";

const settings = oidcSettingsSchema.parse({
  issuer: "https://login.example.com",
  clientId: "clearance",
  mfaAcrValues: ["urn:okta:loa:2fa:any", "2"],
});

describe("single sign-on rules", () => {
  it.each([
    [{ amr: ["pwd", "mfa"] }, true],
    [{ amr: ["pwd"] }, false],
    [{ amr: "mfa" }, false],
    [{ amr: [1, "mfa"] }, true],
    [{ acr: "2" }, true],
    [{ acr: "1" }, false],
    [{ acr: ["2"] }, false],
    [{}, false],
  ])("reads MFA from amr/acr: %j → %s", (claims, expected) => {
    expect(oidcReportsMfa(claims, settings)).toBe(expected);
  });

  it("fills OIDC defaults and refuses scopes without openid", () => {
    expect(settings).toMatchObject({
      scopes: ["openid", "email", "profile"],
      emailClaim: "email",
      emailVerifiedClaim: "email_verified",
      mfaAmrValues: ["mfa"],
      tokenAuthMethod: "client_secret_basic",
    });
    expect(oidcSettingsSchema.safeParse({ ...settings, scopes: ["email"] }).success).toBe(false);
    expect(() => providerSettings("oidc", { clientId: "x" })).toThrow();
  });

  it("allows exactly the listed domains", () => {
    expect(domainList.parse(" Example.com, @other.example  example.com")).toEqual(["example.com", "other.example"]);
    expect(domainList.safeParse("not a domain").success).toBe(false);
    expect(domainAllowed("a@example.com", ["example.com"])).toBe(true);
    expect(domainAllowed("a@EXAMPLE.com", ["example.com"])).toBe(true);
    expect(domainAllowed("a@sub.example.com", ["example.com"])).toBe(false);
    expect(domainAllowed("a@example.com.evil", ["example.com"])).toBe(false);
    expect(domainAllowed("example.com", ["example.com"])).toBe(false);
  });

  it.each([
    ["off", ["employee", "manager"], false],
    ["privileged", ["employee"], false],
    ["privileged", ["employee", "auditor"], true],
    ["privileged", ["employee", "compliance_admin"], true],
    ["everyone", ["employee"], true],
  ] as const)("SSO only %s applies to %j: %s", (policy, roles, expected) => {
    expect(ssoOnlyApplies(policy, roles)).toBe(expected);
  });
});
