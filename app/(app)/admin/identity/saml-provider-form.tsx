"use client";

import { Field } from "@/components/ui/field";

import { saveSamlProvider } from "./actions";
import {
  AllowedDomainsField,
  CheckboxField,
  MappingFields,
  NameFields,
  PeopleFields,
  ProviderFormShell,
  readCommonValues,
  TextAreaField,
  useProviderForm,
  type CommonProviderValues,
} from "./provider-fields";

export type SamlProviderValues = CommonProviderValues & {
  metadataXml: string;
  idpEntityId: string;
  idpSsoUrl: string;
  idpCertificate: string;
  allowIdpInitiated: boolean;
  emailAttribute: string;
  nameAttribute: string;
  mfaAuthnContexts: string;
};

export const NEW_SAML_PROVIDER: SamlProviderValues = {
  name: "",
  slug: "",
  allowedDomains: "",
  jitProvisioning: false,
  acceptIdpMfa: false,
  departmentClaim: "",
  managerClaim: "",
  titleClaim: "",
  metadataXml: "",
  idpEntityId: "",
  idpSsoUrl: "",
  idpCertificate: "",
  allowIdpInitiated: false,
  emailAttribute: "email",
  nameAttribute: "name",
  mfaAuthnContexts: "",
};

/** Adds a SAML 2.0 identity provider from its metadata (or its values typed in), or changes one. */
export function SamlProviderForm({ values: saved, appUrl }: { values: SamlProviderValues; appUrl: string }) {
  const { state, pending, values, submit, errors, id } = useProviderForm(
    "saml",
    saveSamlProvider,
    saved,
    (formData, was): SamlProviderValues => {
      const text = (name: string) => String(formData.get(name) ?? "");
      return {
        ...was,
        ...readCommonValues(formData),
        metadataXml: text("metadataXml"),
        idpEntityId: text("idpEntityId"),
        idpSsoUrl: text("idpSsoUrl"),
        idpCertificate: text("idpCertificate"),
        allowIdpInitiated: formData.get("allowIdpInitiated") === "on",
        emailAttribute: text("emailAttribute"),
        nameAttribute: text("nameAttribute"),
        mfaAuthnContexts: text("mfaAuthnContexts"),
      };
    },
  );
  const fields = { values, errors, id };
  return (
    <ProviderFormShell
      label={values.id ? `Edit ${values.name}` : "Add a SAML provider"}
      state={state}
      pending={pending}
      values={values}
      submit={submit}
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <NameFields {...fields} slugHint={`ACS URL: ${appUrl}/api/sso/saml/<URL name>/acs`} />
        <AllowedDomainsField {...fields} />
      </div>
      <TextAreaField
        id={id("metadataXml")}
        name="metadataXml"
        label="Identity provider metadata (XML)"
        defaultValue={values.metadataXml}
        placeholder="<EntityDescriptor …>"
        hint={
          values.id
            ? "Paste new metadata to replace the values below, or leave empty to keep them."
            : "Paste the metadata document your identity provider offers; it fills in the values below."
        }
        error={errors?.metadataXml?.[0]}
      />
      <fieldset className="grid gap-4 rounded-md border border-slate-200 p-4 sm:grid-cols-2">
        <legend className="px-1 text-sm font-medium text-slate-800">Or the identity provider&rsquo;s values</legend>
        <Field
          id={id("idpEntityId")}
          label="IdP entity ID"
          name="idpEntityId"
          defaultValue={values.idpEntityId}
          placeholder="http://www.okta.com/exk…"
          error={errors?.idpEntityId?.[0]}
        />
        <Field
          id={id("idpSsoUrl")}
          label="IdP single sign-on URL"
          name="idpSsoUrl"
          type="url"
          defaultValue={values.idpSsoUrl}
          placeholder="https://example.okta.com/app/…/sso/saml"
          hint="The HTTP-Redirect binding's address."
          error={errors?.idpSsoUrl?.[0]}
        />
        <div className="sm:col-span-2">
          <TextAreaField
            id={id("idpCertificate")}
            name="idpCertificate"
            label="IdP signing certificate (PEM)"
            defaultValue={values.idpCertificate}
            placeholder="-----BEGIN CERTIFICATE-----"
            hint="During a certificate change, paste both: either is trusted."
            error={errors?.idpCertificate?.[0]}
          />
        </div>
        <div className="sm:col-span-2">
          <CheckboxField
            name="allowIdpInitiated"
            defaultChecked={values.allowIdpInitiated}
            label="Accept sign-ins started at the identity provider (IdP-initiated)"
            explanation="Off by default: then only sign-ins started from Clearance’s sign-in page are accepted, which keeps a stolen or forced response from signing someone in."
          />
        </div>
      </fieldset>
      <PeopleFields
        values={values}
        mfaExplanation="When the assertion’s AuthnContextClassRef names a multi-factor method (REFEDS MFA, Entra ID’s multipleauthn, a smartcard, a two-factor token), Clearance does not ask for its own."
      >
        <Field
          id={id("mfaAuthnContexts")}
          label="Other AuthnContextClassRef values that mean MFA"
          name="mfaAuthnContexts"
          defaultValue={values.mfaAuthnContexts}
          hint="Separated by spaces; optional."
          error={errors?.mfaAuthnContexts?.[0]}
        />
      </PeopleFields>
      <MappingFields {...fields} noun="attribute">
        <Field
          id={id("emailAttribute")}
          label="Email attribute"
          name="emailAttribute"
          defaultValue={values.emailAttribute}
          hint="Without it, an e-mail NameID is used."
          error={errors?.emailAttribute?.[0]}
        />
        <Field
          id={id("nameAttribute")}
          label="Name attribute"
          name="nameAttribute"
          defaultValue={values.nameAttribute}
          hint="Or firstName and lastName."
          error={errors?.nameAttribute?.[0]}
        />
      </MappingFields>
    </ProviderFormShell>
  );
}
