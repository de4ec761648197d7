import { SamlStatusError } from "@node-saml/node-saml";

import type { SamlFailureReason } from "./failure-reasons";
import { identityFromAssertion, type SamlIdentity } from "./identity";
import { readAssertion, readEnvelope, type AssertionReading } from "./read-response";
import { serviceProvider } from "./service-provider";
import type { SamlSettings } from "./settings";
import { childElement, MAX_XML_CHARS, NS, parseXml } from "./xml";

export { samlFailureMessages, samlFailureReasons, type SamlFailureReason } from "./failure-reasons";

export type SamlVerifyResult = { ok: true; identity: SamlIdentity } | { ok: false; reason: SamlFailureReason };

export type VerifyOptions = {
  /** The AuthnRequest ID stored for this browser by `startSignIn`, or null when there is none. */
  expectedRequestId: string | null;
  now: Date;
  /**
   * Records the assertion ID once, atomically (an insert on a unique key);
   * false when it was recorded before. `notOnOrAfter` is when the record may
   * be deleted: past it the assertion is refused as expired anyway.
   */
  claimOnce: (assertionId: string, notOnOrAfter: Date) => Promise<boolean>;
};

const fail = (reason: SamlFailureReason) => ({ ok: false as const, reason });

/**
 * Checks a SAMLResponse posted to the ACS. The assertion must be signed by one
 * of the IdP's certificates (node-saml checks the signature and refuses
 * wrapped or duplicated assertions); everything else is read from the signed
 * assertion only: issuer, audience, recipient, validity window against `now`,
 * InResponseTo against the browser's request. The assertion ID is claimed
 * last, so a response is accepted at most once. Never throws for bad input;
 * an error from `claimOnce` (the store) propagates.
 */
export async function verifyResponse(
  settings: SamlSettings,
  samlResponse: unknown,
  { expectedRequestId, now, claimOnce }: VerifyOptions,
): Promise<SamlVerifyResult> {
  const checked = await checkResponse(settings, samlResponse, expectedRequestId, now).catch(() => fail("malformed"));
  if (!checked.ok) return checked;
  if (!(await claimOnce(checked.assertionId, checked.notOnOrAfter))) return fail("replayed");
  return { ok: true, identity: checked.identity };
}

type Checked =
  | { ok: true; identity: SamlIdentity; assertionId: string; notOnOrAfter: Date }
  | { ok: false; reason: SamlFailureReason };

async function checkResponse(
  settings: SamlSettings,
  samlResponse: unknown,
  expectedRequestId: string | null,
  now: Date,
): Promise<Checked> {
  const xml = decodeBase64Xml(samlResponse);
  const doc = xml === null ? null : parseXml(xml);
  const envelope = doc && readEnvelope(doc);
  if (!xml || !envelope) return fail("malformed");
  if (!envelope.success) return fail("idp_error");
  if (!envelope.strongSignatures) return fail("weak_signature");

  let assertionXml: string | undefined;
  try {
    const { profile } = await serviceProvider(settings).validatePostResponseAsync({
      SAMLResponse: Buffer.from(xml, "utf8").toString("base64"),
    });
    if (!profile) return fail("idp_error");
    assertionXml = profile.getAssertionXml?.();
  } catch (error) {
    return fail(reasonForError(error));
  }
  const assertionDoc = assertionXml ? parseXml(assertionXml) : null;
  const assertion = assertionDoc && readAssertion(assertionDoc.documentElement);
  // saml-core §2.5.1: one Conditions element at most; node-saml refuses more, this says so again.
  if (!assertion || !assertion.id || assertion.conditionsCount > 1) return fail("malformed");

  const problem =
    checkIssuer(settings, assertion, envelope.issuer) ??
    checkAudience(settings, assertion) ??
    checkRecipient(settings, assertion, envelope.destination);
  if (problem) return fail(problem);

  const times = checkTimes(settings, assertion, now);
  if ("reason" in times) return fail(times.reason);

  const solicited = checkInResponseTo(settings, assertion, envelope.inResponseTo, expectedRequestId);
  if (solicited) return fail(solicited);

  if (assertion.authnStatements.length === 0) return fail("malformed");
  const mapped = identityFromAssertion(settings, assertion);
  if (!mapped.ok) return fail(mapped.reason);
  return { ok: true, identity: mapped.identity, assertionId: assertion.id, notOnOrAfter: times.notOnOrAfter };
}

/** Base64 (line breaks allowed, as some IdPs wrap it) of UTF-8 text, or null. */
export function decodeBase64Xml(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const compact = value.replace(/[\r\n\t ]/g, "");
  if (compact.length === 0 || compact.length > (MAX_XML_CHARS * 4) / 3 + 4) return null;
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return null;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(compact, "base64"));
  } catch {
    return null;
  }
}

/**
 * node-saml reports failures as Error messages (which may quote the
 * response); only the kind of failure is kept, the message goes nowhere.
 */
function reasonForError(error: unknown): SamlFailureReason {
  if (error instanceof SamlStatusError) return "idp_error";
  const message = error instanceof Error ? error.message : "";
  if (/audience/i.test(message)) return "wrong_audience";
  if (/issuer/i.test(message)) return "wrong_issuer";
  if (/signature|signed|referenced node|ID cannot refer/i.test(message)) return "invalid_signature";
  return "malformed";
}

function checkIssuer(settings: SamlSettings, a: AssertionReading, responseIssuer: string | null) {
  if (a.issuer !== settings.idpEntityId) return "wrong_issuer" as const;
  if (responseIssuer !== null && responseIssuer !== settings.idpEntityId) return "wrong_issuer" as const;
  return null;
}

/** Every AudienceRestriction must name this SP (saml-core §2.5.1.4); an assertion with none is refused. */
function checkAudience(settings: SamlSettings, a: AssertionReading) {
  const restrictions = a.conditions?.audienceRestrictions ?? [];
  if (restrictions.length === 0 || !restrictions.every((audiences) => audiences.includes(settings.spEntityId))) {
    return "wrong_audience" as const;
  }
  return null;
}

function checkRecipient(settings: SamlSettings, a: AssertionReading, destination: string | null) {
  if (a.bearerConfirmations.length === 0) return "malformed" as const;
  if (!a.bearerConfirmations.some((c) => c.recipient === settings.acsUrl)) return "wrong_recipient" as const;
  if (destination !== null && destination !== settings.acsUrl) return "wrong_recipient" as const;
  return null;
}

const XS_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** An xs:dateTime as milliseconds; NaN when written any other way. */
function instant(value: string): number {
  return XS_DATE_TIME.test(value) ? Date.parse(value) : NaN;
}

/**
 * saml-core §2.5.1.2 and saml-profiles §4.1.4.2: within Conditions and the
 * bearer confirmation's window, with the provider's skew either side. Gives
 * the moment after which the assertion can no longer be accepted.
 */
function checkTimes(
  settings: SamlSettings,
  a: AssertionReading,
  now: Date,
): { notOnOrAfter: Date } | { reason: SamlFailureReason } {
  const skew = settings.clockSkewSeconds * 1000;
  const confirmation = a.bearerConfirmations.find((c) => c.recipient === settings.acsUrl)!;
  if (!a.issueInstant || !confirmation.notOnOrAfter) return { reason: "malformed" };
  const notBefore = [a.conditions?.notBefore, confirmation.notBefore, a.issueInstant].filter(
    (v): v is string => typeof v === "string",
  );
  const notOnOrAfter = [a.conditions?.notOnOrAfter, confirmation.notOnOrAfter].filter(
    (v): v is string => typeof v === "string",
  );
  const starts = notBefore.map(instant);
  const ends = notOnOrAfter.map(instant);
  if ([...starts, ...ends].some(Number.isNaN)) return { reason: "malformed" };
  const at = now.getTime();
  if (starts.some((start) => at + skew < start)) return { reason: "not_yet_valid" };
  const end = Math.min(...ends);
  if (at - skew >= end) return { reason: "expired" };
  return { notOnOrAfter: new Date(end + skew) };
}

/**
 * The signed InResponseTo (in the bearer confirmation) decides: it must be
 * the request this browser started. Without one the response is
 * IdP-initiated, accepted only when the provider allows it.
 */
function checkInResponseTo(
  settings: SamlSettings,
  a: AssertionReading,
  responseInResponseTo: string | null,
  expectedRequestId: string | null,
): SamlFailureReason | null {
  const signed = a.bearerConfirmations.find((c) => c.recipient === settings.acsUrl)!.inResponseTo || null;
  const unsigned = responseInResponseTo || null;
  if (unsigned !== null && unsigned !== signed) return "wrong_in_response_to";
  if (signed === null) return settings.allowIdpInitiated ? null : "unsolicited";
  return signed === expectedRequestId ? null : "wrong_in_response_to";
}

/**
 * The request a response says it answers (the Response's InResponseTo, else
 * its assertion's bearer confirmation), read before anything is checked: a
 * key to look the stored request up by, never proof. `verifyResponse` then
 * requires the signed InResponseTo to equal the request that was found.
 */
export function claimedRequestId(samlResponse: unknown): string | null {
  const xml = decodeBase64Xml(samlResponse);
  const doc = xml === null ? null : parseXml(xml);
  const envelope = doc && readEnvelope(doc);
  if (!doc || !envelope) return null;
  if (envelope.inResponseTo) return envelope.inResponseTo;
  const assertion = childElement(doc.documentElement, NS.assertion, "Assertion");
  const reading = assertion && readAssertion(assertion);
  return reading?.bearerConfirmations.find((c) => c.inResponseTo)?.inResponseTo ?? null;
}
