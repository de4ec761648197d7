import type { Metadata } from "next";

import { ActionButton } from "@/components/action-button";
import { Badge } from "@/components/ui/badge";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { requireViewer } from "@/lib/auth/gate";
import { env } from "@/lib/env";
import { currentSsoOnlyPolicy, listProviders, type ProviderListing } from "@/lib/identity/providers/manage-providers";
import { samlEndpoints, type StoredSamlSettings } from "@/lib/identity/saml/settings";

import { CopyButton } from "../api/copy-button";
import { deleteProvider, setProviderEnabled } from "./actions";
import { SsoOnlyPolicyForm, TestProviderButton } from "./provider-controls";
import { NEW_OIDC_PROVIDER, OidcProviderForm, type OidcProviderValues } from "./provider-form";
import { NEW_SAML_PROVIDER, SamlProviderForm, type SamlProviderValues } from "./saml-provider-form";

export const metadata: Metadata = { title: "Sign-in and identity providers" };

const list = (value: unknown) => (Array.isArray(value) ? value.join(" ") : "");

function samlFormValues(p: ProviderListing): SamlProviderValues {
  const s = p.settings as Partial<StoredSamlSettings>;
  return {
    id: p.id,
    name: p.name,
    slug: p.slug,
    allowedDomains: p.allowedDomains.join(", "),
    jitProvisioning: p.jitProvisioning,
    acceptIdpMfa: p.acceptIdpMfa,
    departmentClaim: p.departmentClaim ?? "",
    managerClaim: p.managerClaim ?? "",
    titleClaim: p.titleClaim ?? "",
    metadataXml: "",
    idpEntityId: s.idpEntityId ?? "",
    idpSsoUrl: s.idpSsoUrl ?? "",
    idpCertificate: (s.idpCertificates ?? []).join(""),
    allowIdpInitiated: s.allowIdpInitiated === true,
    emailAttribute: s.attributes?.email ?? "email",
    nameAttribute: s.attributes?.name ?? "name",
    mfaAuthnContexts: list(s.mfaAuthnContexts),
  };
}

/** The addresses an identity provider's admin copies: the redirect URI (OIDC) or the SP's three SAML values. */
function ProviderAddresses({ provider: p, appUrl }: { provider: ProviderListing; appUrl: string }) {
  const rows =
    p.kind === "oidc"
      ? [{ label: "Redirect URI", value: p.redirectUri, testId: `redirect-uri-${p.slug}` }]
      : (() => {
          const sp = samlEndpoints(appUrl, p.slug);
          return [
            { label: "SP entity ID (Audience)", value: sp.spEntityId, testId: `sp-entity-id-${p.slug}` },
            { label: "ACS URL (HTTP-POST)", value: sp.acsUrl, testId: `acs-url-${p.slug}` },
            { label: "SP metadata URL", value: sp.metadataUrl, testId: `metadata-url-${p.slug}` },
          ];
        })();
  return (
    <dl className="space-y-1 text-sm">
      {rows.map((row) => (
        <div key={row.label}>
          <dt className="inline font-medium text-slate-800">{row.label}</dt>{" "}
          <dd className="inline">
            <code className="break-all" data-testid={row.testId}>
              {row.value}
            </code>{" "}
            <CopyButton text={row.value} accessibleName={`Copy the ${row.label} of ${p.name}`} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

function formValues(p: ProviderListing): OidcProviderValues {
  const s = p.settings;
  return {
    id: p.id,
    name: p.name,
    slug: p.slug,
    issuer: String(s.issuer ?? ""),
    clientId: String(s.clientId ?? ""),
    hasSecret: p.hasSecret,
    scopes: list(s.scopes),
    tokenAuthMethod: s.tokenAuthMethod === "client_secret_post" ? "client_secret_post" : "client_secret_basic",
    emailClaim: String(s.emailClaim ?? "email"),
    emailVerifiedClaim: String(s.emailVerifiedClaim ?? "email_verified"),
    mfaAmrValues: list(s.mfaAmrValues),
    mfaAcrValues: list(s.mfaAcrValues),
    allowedDomains: p.allowedDomains.join(", "),
    jitProvisioning: p.jitProvisioning,
    acceptIdpMfa: p.acceptIdpMfa,
    departmentClaim: p.departmentClaim ?? "",
    managerClaim: p.managerClaim ?? "",
    titleClaim: p.titleClaim ?? "",
  };
}

export default async function IdentityPage() {
  const viewer = await requireViewer("page:/admin/identity");
  const [providers, policy] = await Promise.all([listProviders(viewer), currentSsoOnlyPolicy(viewer)]);
  const appUrl = env().APP_URL.replace(/\/$/, "");
  return (
    <>
      <PageHeader
        title="Sign-in and identity providers"
        description="Let people sign in with the organisation's identity provider (Okta, Microsoft Entra ID, Google Workspace, Keycloak, or any OpenID Connect or SAML 2.0 provider), and decide who must."
      />
      <div className="space-y-6">
        <Card title="Sign-in policy">
          <SsoOnlyPolicyForm policy={policy} />
        </Card>
        <Card title="Identity providers">
          {providers.length === 0 ? (
            <EmptyState title="No identity providers yet">Add one below; it stays off until you enable it.</EmptyState>
          ) : (
            <ul className="divide-y divide-slate-100">
              {providers.map((p) => (
                <li key={p.id} className="space-y-3 py-4" aria-labelledby={`provider-${p.id}`}>
                  <div className="flex flex-wrap items-center gap-2">
                    <h3 id={`provider-${p.id}`} className="text-base font-semibold text-slate-900">
                      {p.name}
                    </h3>
                    <Badge>{p.kind === "oidc" ? "OpenID Connect" : "SAML 2.0"}</Badge>
                    {p.enabled ? <Badge tone="success">Enabled</Badge> : <Badge>Disabled</Badge>}
                    <span className="text-sm text-slate-600">
                      {p.linkedPeople} {p.linkedPeople === 1 ? "person has" : "people have"} signed in through it
                    </span>
                  </div>
                  <ProviderAddresses provider={p} appUrl={appUrl} />
                  <p className="text-sm text-slate-600">
                    Domains: {p.allowedDomains.length ? p.allowedDomains.join(", ") : "none (nobody can sign in yet)"} ·
                    New accounts at first sign-in: {p.jitProvisioning ? "yes" : "no"} · Provider&rsquo;s MFA accepted:{" "}
                    {p.acceptIdpMfa ? "yes" : "no"}
                  </p>
                  <div className="flex flex-wrap items-start gap-3">
                    <TestProviderButton providerId={p.id} name={p.name} />
                    <ActionButton
                      action={setProviderEnabled}
                      fields={{ providerId: p.id, enabled: String(!p.enabled) }}
                      label={p.enabled ? `Disable ${p.name}` : `Enable ${p.name}`}
                      variant="secondary"
                    />
                    <ActionButton
                      action={deleteProvider}
                      fields={{ providerId: p.id }}
                      label={`Delete ${p.name}`}
                      variant="danger"
                    />
                  </div>
                  <details className="rounded-md border border-slate-200 p-4">
                    <summary className="cursor-pointer text-sm font-medium text-brand-700">Edit {p.name}</summary>
                    <div className="mt-4">
                      {p.kind === "oidc" ? (
                        <OidcProviderForm values={formValues(p)} appUrl={appUrl} />
                      ) : (
                        <SamlProviderForm values={samlFormValues(p)} appUrl={appUrl} />
                      )}
                    </div>
                  </details>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title="Add an OpenID Connect provider">
          <OidcProviderForm values={NEW_OIDC_PROVIDER} appUrl={appUrl} />
        </Card>
        <Card title="Add a SAML 2.0 provider">
          <SamlProviderForm values={NEW_SAML_PROVIDER} appUrl={appUrl} />
        </Card>
      </div>
    </>
  );
}
