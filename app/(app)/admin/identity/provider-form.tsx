"use client";

import { useActionState, useState } from "react";

import { Button } from "@/components/ui/button";
import { Alert, Field, inputClass } from "@/components/ui/field";

import { saveOidcProvider } from "./actions";

export type OidcProviderValues = {
  id?: string;
  name: string;
  slug: string;
  issuer: string;
  clientId: string;
  hasSecret: boolean;
  scopes: string;
  tokenAuthMethod: "client_secret_basic" | "client_secret_post";
  emailClaim: string;
  emailVerifiedClaim: string;
  mfaAmrValues: string;
  mfaAcrValues: string;
  allowedDomains: string;
  jitProvisioning: boolean;
  acceptIdpMfa: boolean;
  departmentClaim: string;
  managerClaim: string;
  titleClaim: string;
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
  const [state, formAction, pending] = useActionState(saveOidcProvider, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  // React resets the form after each submission: what was typed comes back as the defaults (never the secret).
  const [typed, setTyped] = useState<OidcProviderValues | null>(null);
  const values = typed && !(state?.ok && !saved.id) ? typed : saved;
  const submit = (formData: FormData) => {
    const text = (name: string) => String(formData.get(name) ?? "");
    setTyped({
      ...saved,
      name: text("name"),
      slug: text("slug"),
      issuer: text("issuer"),
      clientId: text("clientId"),
      scopes: text("scopes"),
      tokenAuthMethod: text("tokenAuthMethod") === "client_secret_post" ? "client_secret_post" : "client_secret_basic",
      emailClaim: text("emailClaim"),
      emailVerifiedClaim: text("emailVerifiedClaim"),
      mfaAmrValues: text("mfaAmrValues"),
      mfaAcrValues: text("mfaAcrValues"),
      allowedDomains: text("allowedDomains"),
      jitProvisioning: formData.get("jitProvisioning") === "on",
      acceptIdpMfa: formData.get("acceptIdpMfa") === "on",
      departmentClaim: text("departmentClaim"),
      managerClaim: text("managerClaim"),
      titleClaim: text("titleClaim"),
    });
    formAction(formData);
  };
  const prefix = values.id ? `p-${values.id.slice(0, 8)}-` : "new-";
  const id = (name: string) => `${prefix}${name}`;
  return (
    <form action={submit} className="grid gap-4" aria-label={values.id ? `Edit ${values.name}` : "Add a provider"}>
      {state && !state.ok && <Alert>{state.error}</Alert>}
      {state?.ok && <Alert tone="success">{state.message}</Alert>}
      {values.id && <input type="hidden" name="id" value={values.id} />}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field
          id={id("name")}
          label="Name on the sign-in button"
          name="name"
          required
          defaultValue={values.name}
          placeholder="Okta"
          error={errors?.name?.[0]}
        />
        <Field
          id={id("slug")}
          label="URL name"
          name="slug"
          required
          defaultValue={values.slug}
          placeholder="okta"
          hint={`Redirect URI: ${appUrl}/api/sso/oidc/<URL name>/callback`}
          error={errors?.slug?.[0]}
        />
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
        <Field
          id={id("allowedDomains")}
          label="Allowed email domains"
          name="allowedDomains"
          defaultValue={values.allowedDomains}
          placeholder="example.com, example.co.uk"
          hint="Only addresses in these domains may sign in through this provider."
          error={errors?.allowedDomains?.[0]}
        />
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
      <fieldset className="grid gap-3 rounded-md border border-slate-200 p-4">
        <legend className="px-1 text-sm font-medium text-slate-800">People and second factor</legend>
        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" name="jitProvisioning" defaultChecked={values.jitProvisioning} className="mt-1" />
          <span>
            Create an account at first sign-in
            <span className="block text-slate-600">
              For a verified address in an allowed domain with no account yet: an employee, in the mapped department.
            </span>
          </span>
        </label>
        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" name="acceptIdpMfa" defaultChecked={values.acceptIdpMfa} className="mt-1" />
          <span>
            Accept this provider&rsquo;s MFA for managers, compliance admins and auditors
            <span className="block text-slate-600">
              When the ID token&rsquo;s amr or acr says more than one factor was used, Clearance does not ask for its
              own.
            </span>
          </span>
        </label>
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
      </fieldset>
      <fieldset className="grid gap-4 rounded-md border border-slate-200 p-4 sm:grid-cols-3">
        <legend className="px-1 text-sm font-medium text-slate-800">Claim mapping (optional)</legend>
        <Field
          id={id("departmentClaim")}
          label="Department claim"
          name="departmentClaim"
          defaultValue={values.departmentClaim}
          hint="Matched to a department's id or name."
          error={errors?.departmentClaim?.[0]}
        />
        <Field
          id={id("managerClaim")}
          label="Manager claim"
          name="managerClaim"
          defaultValue={values.managerClaim}
          hint="The manager's email address."
          error={errors?.managerClaim?.[0]}
        />
        <Field
          id={id("titleClaim")}
          label="Job title claim"
          name="titleClaim"
          defaultValue={values.titleClaim}
          error={errors?.titleClaim?.[0]}
        />
      </fieldset>
      <div>
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : values.id ? "Save provider" : "Add provider"}
        </Button>
      </div>
    </form>
  );
}
