import { startLrsStub } from "./lrs-stub";
import { startTestIdp as startOidcIdp } from "./oidc-idp";
import { startTestIdp as startSamlIdp } from "./saml-idp";

/**
 * Playwright's global setup: a real OpenID Provider and a real SAML identity
 * provider on 127.0.0.1 for the single sign-on specs, with accounts for demo
 * people. The OIDC spec reads where its provider is from E2E_IDP_ISSUER (its
 * client secret is IDP_CLIENT_SECRET); the SAML spec reads the IdP's
 * metadata address from E2E_SAML_IDP_METADATA_URL. The SAML IdP reads the
 * app's SP metadata (provider "test-saml") at its first login. A learning
 * record store (tests/helpers/lrs-stub.ts) takes the app's xAPI statements
 * for the whole run, checking each against the xAPI rules.
 */
export default async function globalSetup() {
  const port = Number(process.env.E2E_IDP_PORT ?? 3212);
  const samlPort = Number(process.env.E2E_SAML_IDP_PORT ?? 3213);
  const appPort = Number(process.env.E2E_PORT ?? 3210);
  const idp = await startOidcIdp({
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
  const samlIdp = await startSamlIdp({
    port: samlPort,
    spMetadataUrl: `http://localhost:${appPort}/api/sso/saml/test-saml/metadata`,
    accounts: {
      "li.hua": {
        nameId: "li.hua@brightline.example",
        attributes: { email: "li.hua@brightline.example", name: "Li Hua" },
      },
      // Nobody in Clearance has this address, and the provider creates no accounts.
      stranger: { nameId: "stranger@brightline.example", attributes: { email: "stranger@brightline.example" } },
    },
  });
  const lrs = await startLrsStub({
    port: Number(process.env.E2E_LRS_PORT ?? 3214),
    username: process.env.E2E_LRS_USERNAME,
    password: process.env.E2E_LRS_PASSWORD,
  });
  process.env.E2E_IDP_ISSUER = idp.issuer;
  process.env.E2E_SAML_IDP_METADATA_URL = samlIdp.metadataUrl;
  return async () => {
    await idp.close();
    await samlIdp.close();
    await lrs.close();
  };
}
