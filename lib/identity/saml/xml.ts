import { DOMParser } from "@xmldom/xmldom";

/** Namespaces of the SAML 2.0 elements Clearance reads. */
export const NS = {
  protocol: "urn:oasis:names:tc:SAML:2.0:protocol",
  assertion: "urn:oasis:names:tc:SAML:2.0:assertion",
  metadata: "urn:oasis:names:tc:SAML:2.0:metadata",
  dsig: "http://www.w3.org/2000/09/xmldsig#",
} as const;

/** Larger than any real SAML message; a bound on the work an anonymous POST can cause. */
export const MAX_XML_CHARS = 512 * 1024;

/**
 * Parses XML with the parser node-saml and xml-crypto verify signatures
 * with, or returns null. Any warning counts as a failure: it means the text
 * is not well-formed, and the same text passed on would make xml-crypto
 * print parser warnings (quoting the input) to the log. Document types are
 * refused outright: SAML never needs one, and they carry entity tricks.
 */
export function parseXml(text: string): Document | null {
  if (text.length > MAX_XML_CHARS || /<!DOCTYPE|<!ENTITY/i.test(text)) return null;
  let clean = true;
  const refuse = () => {
    clean = false;
  };
  try {
    const doc = new DOMParser({
      locator: {},
      errorHandler: { warning: refuse, error: refuse, fatalError: refuse },
    }).parseFromString(text, "text/xml");
    return clean && doc?.documentElement ? doc : null;
  } catch {
    return null;
  }
}

export function isElement(node: Element | null | undefined, ns: string, localName: string): node is Element {
  return !!node && node.namespaceURI === ns && node.localName === localName;
}

/** Direct child elements with this namespace and local name. */
export function childElements(parent: Element, ns: string, localName: string): Element[] {
  const found: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === 1 && isElement(node as Element, ns, localName)) found.push(node as Element);
  }
  return found;
}

export function childElement(parent: Element, ns: string, localName: string): Element | null {
  return childElements(parent, ns, localName)[0] ?? null;
}

/** The element's whole text (comments dropped, every text node joined), trimmed; null when empty. */
export function textOf(element: Element | null): string | null {
  const text = element?.textContent?.trim();
  return text ? text : null;
}

export function attributeOf(element: Element | null, name: string): string | null {
  if (!element || !element.hasAttribute(name)) return null;
  return element.getAttribute(name);
}
