"use client";

import { Field, inputClass } from "@/components/ui/field";

import { saveOidcProvider } from "./actions";
import {
  AllowedDomainsField,
  MappingFields,
  NameFields,
  PeopleFields,
  ProviderFormShell,
  readCommonValues,
  useProviderForm,
  type CommonProviderValues,
} from "./provider-fields";

export type OidcProviderValues = CommonProviderValues & {
  issuer: string;
  clientId: string;
  hasSecret: boolean;
  scopes: string;
  tokenAuthMethod: "client_secret_basic" | "client_secret_post";
  emailClaim: string;
  emailVerifiedClaim: string;
  mfaAmrValues: string;
  mfaAcrValues: string;
};

export const NEW_OIDC_PROVIDER: OidcProviderValues = {
  name: "",
  slug: "",
  issuer: "",
  clientId: "",
  hasSecret: false,
  scopes: "openid email profile",
  tokenAuthMethod: "client_secret_basic",
  emailClaim: "email",
  emailVerifiedClaim: "email_verified",
  mfaAmrValues: "mfa",
  mfaAcrValues: "",
  allowedDomains: "",
  jitProvisioning: false,
  acceptIdpMfa: false,
  departmentClaim: "",
  managerClaim: "",
  titleClaim: "",
};

/** Adds an OpenID Connect provider, or changes one; the client secret is write-only. */
export function OidcProviderForm({ values: saved, appUrl }: { values: OidcProviderValues; appUrl: string }) {
  const { state, pending, values, submit, errors, id } = useProviderForm(
    "oidc",
    saveOidcProvider,
    saved,
    (formData, was): OidcProviderValues => {
      const text = (name: string) => String(formData.get(name) ?? "");
      return {
        ...was,
        ...readCommonValues(formData),
        issuer: text("issuer"),
        clientId: text("clientId"),
        scopes: text("scopes"),
        tokenAuthMethod:
          text("tokenAuthMethod") === "client_secret_post" ? "client_secret_post" : "client_secret_basic",
        emailClaim: text("emailClaim"),
        emailVerifiedClaim: text("emailVerifiedClaim"),
        mfaAmrValues: text("mfaAmrValues"),
        mfaAcrValues: text("mfaAcrValues"),
      };
    },
  );
  const fields = { values, errors, id };
  return (
    <ProviderFormShell
      label={values.id ? `Edit ${values.name}` : "Add a provider"}
      state={state}
      pending={pending}
      values={values}
      submit={submit}
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <NameFields {...fields} slugHint={`Redirect URI: ${appUrl}/api/sso/oidc/<URL name>/callback`} />
        <Field
          id={id("issuer")}
          label="Issuer URL"
          name="issuer"
          type="url"
          required
          defaultValue={values.issuer}
          placeholder="https://example.okta.com"
          hint="Clearance reads <issuer>/.well-known/openid-configuration."
          error={errors?.issuer?.[0]}
        />
        <Field
          id={id("clientId")}
          label="Client ID"
          name="clientId"
          required
          defaultValue={values.clientId}
          autoComplete="off"
          error={errors?.clientId?.[0]}
        />
        <Field
          id={id("clientSecret")}
          label="Client secret"
          name="clientSecret"
          type="password"
          autoComplete="new-password"
          required={!values.hasSecret}
          placeholder={values.hasSecret ? "Set; leave empty to keep it" : ""}
          hint={
            values.hasSecret
              ? "Stored encrypted and never shown. Type a new one to replace it."
              : "Stored encrypted and never shown again."
          }
          error={errors?.clientSecret?.[0]}
        />
        <div>
          <label htmlFor={id("tokenAuthMethod")} className="block text-sm font-medium text-slate-800">
            Client authentication
          </label>
          <select
            id={id("tokenAuthMethod")}
            name="tokenAuthMethod"
            defaultValue={values.tokenAuthMethod}
            className={`mt-1 ${inputClass}`}
          >
            <option value="client_secret_basic">client_secret_basic (HTTP Basic)</option>
            <option value="client_secret_post">client_secret_post (form body)</option>
          </select>
        </div>
        <Field
          id={id("scopes")}
          label="Scopes"
          name="scopes"
          required
          defaultValue={values.scopes}
          hint="Separated by spaces; openid is required."
          error={errors?.scopes?.[0]}
        />
        <AllowedDomainsField {...fields} />
        <Field
          id={id("emailClaim")}
          label="Email claim"
          name="emailClaim"
          defaultValue={values.emailClaim}
          error={errors?.emailClaim?.[0]}
        />
        <Field
          id={id("emailVerifiedClaim")}
          label="Email-verified claim"
          name="emailVerifiedClaim"
          defaultValue={values.emailVerifiedClaim}
          hint="Must be true for the sign-in to be accepted (Entra ID: xms_edov)."
          error={errors?.emailVerifiedClaim?.[0]}
        />
      </div>
      <PeopleFields
        values={values}
        mfaExplanation="When the ID token’s amr or acr says more than one factor was used, Clearance does not ask for its own."
      >
        <div className="grid gap-4 sm:grid-cols-2">
          <Field
            id={id("mfaAmrValues")}
            label="amr values that mean MFA"
            name="mfaAmrValues"
            defaultValue={values.mfaAmrValues}
            hint="Separated by spaces, e.g. mfa"
            error={errors?.mfaAmrValues?.[0]}
          />
          <Field
            id={id("mfaAcrValues")}
            label="acr values that mean MFA"
            name="mfaAcrValues"
            defaultValue={values.mfaAcrValues}
            hint="Separated by spaces; optional"
            error={errors?.mfaAcrValues?.[0]}
          />
        </div>
      </PeopleFields>
      <MappingFields {...fields} noun="claim" />
    </ProviderFormShell>
  );
}
