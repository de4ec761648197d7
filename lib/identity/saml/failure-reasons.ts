/**
 * Why a SAML response was refused, and what the person is told. Kept apart
 * from the verifier so the sign-in page can name the reason without loading
 * the XML signature stack.
 */
export const samlFailureReasons = [
  "malformed",
  "invalid_signature",
  "weak_signature",
  "idp_error",
  "wrong_issuer",
  "wrong_audience",
  "wrong_recipient",
  "not_yet_valid",
  "expired",
  "unsolicited",
  "wrong_in_response_to",
  "transient_subject",
  "missing_email",
  "replayed",
] as const;
export type SamlFailureReason = (typeof samlFailureReasons)[number];

/** Words for the person who is sent back to the sign-in page; none of them quote the response. */
export const samlFailureMessages: Record<SamlFailureReason, string> = {
  malformed: "The identity provider's answer could not be read.",
  invalid_signature: "The identity provider's answer is not signed by a trusted certificate.",
  weak_signature: "The identity provider signs with SHA-1; it must sign with SHA-256.",
  idp_error: "The identity provider did not sign you in.",
  wrong_issuer: "The answer comes from a different identity provider.",
  wrong_audience: "The answer is meant for another application.",
  wrong_recipient: "The answer is addressed to another address.",
  not_yet_valid: "The answer is not valid yet: check the clocks of the identity provider and of this server.",
  expired: "The answer has expired. Sign in again.",
  unsolicited: "Start signing in from this application.",
  wrong_in_response_to: "The answer does not belong to this sign-in. Sign in again.",
  transient_subject:
    "The identity provider sends a temporary name ID; it must send a persistent one or the e-mail address.",
  missing_email: "The identity provider did not send an e-mail address.",
  replayed: "This answer has already been used. Sign in again.",
};

/** Whether a query value names one of the reasons (the sign-in page reads it from its URL). */
export function isSamlFailureReason(value: unknown): value is SamlFailureReason {
  return typeof value === "string" && (samlFailureReasons as readonly string[]).includes(value);
}
