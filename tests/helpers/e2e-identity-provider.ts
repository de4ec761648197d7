import { startTestIdp } from "./oidc-idp";

/**
 * Playwright's global setup: a real OpenID Provider on 127.0.0.1 for the
 * single sign-on spec, with accounts for demo people. The spec reads where it
 * is from E2E_IDP_ISSUER; its client secret is IDP_CLIENT_SECRET.
 */
export default async function globalSetup() {
  const port = Number(process.env.E2E_IDP_PORT ?? 3212);
  const appPort = Number(process.env.E2E_PORT ?? 3210);
  const idp = await startTestIdp({
    port,
    redirectUris: [`http://localhost:${appPort}/api/sso/oidc/test-idp/callback`],
    accounts: [
      { sub: "idp-ana", email: "ana.silva@brightline.example", email_verified: true, name: "Ana Silva" },
      {
        sub: "idp-priya",
        email: "priya.nair@brightline.example",
        email_verified: true,
        name: "Priya Nair",
        mfa: true,
      },
    ],
  });
  process.env.E2E_IDP_ISSUER = idp.issuer;
  return () => idp.close();
}
