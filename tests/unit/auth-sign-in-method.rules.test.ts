import { describe, expect, it } from "vitest";

import { describeSignInMethod } from "@/lib/auth/sign-in-method.rules";

describe("describeSignInMethod", () => {
  it.each([
    ["password", "Password"],
    ["password+totp", "Password and authenticator app"],
    ["password+recovery_code", "Password and a recovery code"],
    ["password+passkey", "Password and passkey"],
    ["passkey", "Passkey"],
  ])("says %s as %s", (method, words) => {
    expect(describeSignInMethod({ method })).toBe(words);
  });

  it("names the identity provider, and says when its two-step check counted", () => {
    expect(describeSignInMethod({ method: "sso_oidc", providerName: "Okta" })).toBe("Single sign-on through Okta");
    expect(describeSignInMethod({ method: "sso_saml", providerName: "Entra ID", mfaByIdp: true })).toBe(
      "Single sign-on through Entra ID, with the provider's two-step check",
    );
    // The provider was deleted since: the session still says how it began.
    expect(describeSignInMethod({ method: "sso_saml", providerName: null })).toBe("Single sign-on");
  });

  it("shows a method it does not know as it is", () => {
    expect(describeSignInMethod({ method: "future_method" })).toBe("future_method");
  });
});
