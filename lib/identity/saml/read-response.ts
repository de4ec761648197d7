import { attributeOf, childElement, childElements, isElement, NS, textOf } from "./xml";

/**
 * Plain readings of a SAML Response and of its assertion. The envelope is
 * read from the document as received (it may be unsigned); the assertion
 * only from the XML node-saml returns after checking its signature.
 */

const BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
/** What xml-crypto verifies, less SHA-1: an IdP still signing with SHA-1 must be switched to SHA-256. */
const STRONG_SIGNATURE_ALGORITHMS = new Set([
  "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
  "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1",
  "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
]);
const STRONG_DIGEST_ALGORITHMS = new Set([
  "http://www.w3.org/2001/04/xmlenc#sha256",
  "http://www.w3.org/2001/04/xmlenc#sha512",
]);

export type ResponseEnvelope = {
  destination: string | null;
  inResponseTo: string | null;
  issuer: string | null;
  success: boolean;
  /** Every signature on the response or a direct child assertion uses SHA-256 or better. */
  strongSignatures: boolean;
};

export function readEnvelope(doc: Document): ResponseEnvelope | null {
  const response = doc.documentElement;
  if (!isElement(response, NS.protocol, "Response")) return null;
  const status = childElement(response, NS.protocol, "Status");
  const statusCode = status && childElement(status, NS.protocol, "StatusCode");
  const signatures = [response, ...childElements(response, NS.assertion, "Assertion")].flatMap((e) =>
    childElements(e, NS.dsig, "Signature"),
  );
  return {
    destination: attributeOf(response, "Destination"),
    inResponseTo: attributeOf(response, "InResponseTo"),
    issuer: textOf(childElement(response, NS.assertion, "Issuer")),
    success: attributeOf(statusCode, "Value") === "urn:oasis:names:tc:SAML:2.0:status:Success",
    strongSignatures: signatures.every(isStrongSignature),
  };
}

function isStrongSignature(signature: Element): boolean {
  const signedInfo = childElement(signature, NS.dsig, "SignedInfo");
  if (!signedInfo) return false;
  const method = attributeOf(childElement(signedInfo, NS.dsig, "SignatureMethod"), "Algorithm");
  const digests = childElements(signedInfo, NS.dsig, "Reference").map((r) =>
    attributeOf(childElement(r, NS.dsig, "DigestMethod"), "Algorithm"),
  );
  return (
    !!method &&
    STRONG_SIGNATURE_ALGORITHMS.has(method) &&
    digests.length > 0 &&
    digests.every((d) => !!d && STRONG_DIGEST_ALGORITHMS.has(d))
  );
}

export type BearerConfirmation = {
  recipient: string | null;
  notBefore: string | null;
  notOnOrAfter: string | null;
  inResponseTo: string | null;
};

export type AssertionReading = {
  id: string | null;
  issueInstant: string | null;
  issuer: string | null;
  nameId: string | null;
  nameIdFormat: string | null;
  bearerConfirmations: BearerConfirmation[];
  /** Null when the assertion has no Conditions element. */
  conditions: { notBefore: string | null; notOnOrAfter: string | null; audienceRestrictions: string[][] } | null;
  conditionsCount: number;
  authnStatements: { sessionIndex: string | null; classRef: string | null }[];
  attributes: Map<string, string[]>;
};

export function readAssertion(assertion: Element): AssertionReading | null {
  if (!isElement(assertion, NS.assertion, "Assertion")) return null;
  const subject = childElement(assertion, NS.assertion, "Subject");
  const nameId = subject && childElement(subject, NS.assertion, "NameID");
  const bearerConfirmations = subject
    ? childElements(subject, NS.assertion, "SubjectConfirmation")
        .filter((c) => attributeOf(c, "Method") === BEARER)
        .map((c) => {
          const data = childElement(c, NS.assertion, "SubjectConfirmationData");
          return {
            recipient: attributeOf(data, "Recipient"),
            notBefore: attributeOf(data, "NotBefore"),
            notOnOrAfter: attributeOf(data, "NotOnOrAfter"),
            inResponseTo: attributeOf(data, "InResponseTo"),
          };
        })
    : [];
  const allConditions = childElements(assertion, NS.assertion, "Conditions");
  const conditions = allConditions[0]
    ? {
        notBefore: attributeOf(allConditions[0], "NotBefore"),
        notOnOrAfter: attributeOf(allConditions[0], "NotOnOrAfter"),
        audienceRestrictions: childElements(allConditions[0], NS.assertion, "AudienceRestriction").map((r) =>
          childElements(r, NS.assertion, "Audience").map((a) => textOf(a) ?? ""),
        ),
      }
    : null;
  const authnStatements = childElements(assertion, NS.assertion, "AuthnStatement").map((s) => {
    const context = childElement(s, NS.assertion, "AuthnContext");
    return {
      sessionIndex: attributeOf(s, "SessionIndex"),
      classRef: textOf(context && childElement(context, NS.assertion, "AuthnContextClassRef")),
    };
  });
  const attributes = new Map<string, string[]>();
  for (const statement of childElements(assertion, NS.assertion, "AttributeStatement")) {
    for (const attribute of childElements(statement, NS.assertion, "Attribute")) {
      const name = attributeOf(attribute, "Name");
      if (!name) continue;
      const values = childElements(attribute, NS.assertion, "AttributeValue")
        .map(textOf)
        .filter((v): v is string => v !== null);
      attributes.set(name, [...(attributes.get(name) ?? []), ...values]);
    }
  }
  return {
    id: attributeOf(assertion, "ID"),
    issueInstant: attributeOf(assertion, "IssueInstant"),
    issuer: textOf(childElement(assertion, NS.assertion, "Issuer")),
    nameId: textOf(nameId),
    nameIdFormat: attributeOf(nameId, "Format"),
    bearerConfirmations,
    conditions,
    conditionsCount: allConditions.length,
    authnStatements,
    attributes,
  };
}
