/**
 * How a session was opened, in words a person recognises: shown beside each
 * session on /account and in the my-data export. Stored methods are short
 * codes (lib/auth/authenticate.ts, lib/identity/sso/handoff.ts); a code this
 * does not know is shown as it is rather than hidden.
 */

const METHODS: Record<string, string> = {
  password: "Password",
  "password+totp": "Password and authenticator app",
  "password+recovery_code": "Password and a recovery code",
  "password+passkey": "Password and passkey",
  passkey: "Passkey",
};

export type SessionOrigin = { method: string; providerName?: string | null; mfaByIdp?: boolean };

export function describeSignInMethod({ method, providerName, mfaByIdp }: SessionOrigin): string {
  if (method === "sso_oidc" || method === "sso_saml") {
    const through = providerName ? `Single sign-on through ${providerName}` : "Single sign-on";
    return mfaByIdp ? `${through}, with the provider's two-step check` : through;
  }
  return METHODS[method] ?? method;
}
