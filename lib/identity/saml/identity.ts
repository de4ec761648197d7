import { isValidEmail, normaliseEmail } from "@/lib/people/person-fields";

import { NAME_ID_EMAIL } from "./metadata";
import type { AssertionReading } from "./read-response";
import type { SamlSettings } from "./settings";

/** Who the identity provider says signed in, as the sign-in completion needs it. */
export type SamlIdentity = {
  /** The NameID: stable per person at this IdP (persistent or e-mail, never transient). */
  subject: string;
  subjectFormat: string | null;
  /** Lower-cased. The IdP vouches for it by signing the assertion. */
  email: string;
  emailVerified: true;
  name: string | null;
  claims: { department?: string; manager?: string; title?: string };
  /** The IdP says the person signed in with more than one factor (or a phishing-resistant one). */
  mfa: boolean;
  authnContext: string | null;
  sessionIndex: string | null;
};

const TRANSIENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient";
const MAX_CLAIM_CHARS = 256;

/** AuthnContextClassRef values that mean a second factor, whatever the IdP. */
export const MFA_AUTHN_CONTEXTS: readonly string[] = [
  "https://refeds.org/profile/mfa",
  "http://schemas.microsoft.com/claims/multipleauthn",
  "http://idmanagement.gov/ns/assurance/aal/2",
  "http://idmanagement.gov/ns/assurance/aal/3",
  "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract",
  "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorUnregistered",
  "urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken",
  "urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard",
  "urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI",
];

/** Microsoft Entra ID reports methods in this attribute rather than in the class reference. */
const ENTRA_AUTH_METHODS = "http://schemas.microsoft.com/claims/authnmethodsreferences";

export type IdentityFailure = "malformed" | "transient_subject" | "missing_email";

/** Maps a verified assertion to an identity, with the attribute names configured for this IdP. */
export function identityFromAssertion(
  settings: SamlSettings,
  assertion: AssertionReading,
): { ok: true; identity: SamlIdentity } | { ok: false; reason: IdentityFailure } {
  if (!assertion.nameId) return { ok: false, reason: "malformed" };
  if (assertion.nameIdFormat === TRANSIENT) return { ok: false, reason: "transient_subject" };

  const names = settings.attributes;
  const first = (name: string) => {
    const value = assertion.attributes.get(name)?.[0]?.trim();
    return value ? value.slice(0, MAX_CLAIM_CHARS) : undefined;
  };
  const rawEmail = first(names.email) ?? (assertion.nameIdFormat === NAME_ID_EMAIL ? assertion.nameId : undefined);
  const email = rawEmail ? normaliseEmail(rawEmail) : "";
  if (!isValidEmail(email)) return { ok: false, reason: "missing_email" };

  const fullName = first(names.name) ?? [first(names.firstName), first(names.lastName)].filter(Boolean).join(" ");
  const claims: SamlIdentity["claims"] = {};
  for (const key of ["department", "manager", "title"] as const) {
    const value = first(names[key]);
    if (value) claims[key] = value;
  }

  const authn = assertion.authnStatements[0];
  const mfaContexts = new Set([...MFA_AUTHN_CONTEXTS, ...settings.mfaAuthnContexts]);
  const mfa =
    assertion.authnStatements.some((s) => s.classRef !== null && mfaContexts.has(s.classRef)) ||
    (assertion.attributes.get(ENTRA_AUTH_METHODS) ?? []).some((m) => mfaContexts.has(m));

  return {
    ok: true,
    identity: {
      subject: assertion.nameId,
      subjectFormat: assertion.nameIdFormat,
      email,
      emailVerified: true,
      name: fullName || null,
      claims,
      mfa,
      authnContext: authn?.classRef ?? null,
      sessionIndex: authn?.sessionIndex ?? null,
    },
  };
}
