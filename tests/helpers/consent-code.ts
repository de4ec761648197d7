import { inflateSync } from "node:zlib";

/**
 * Reads the code out of a consent-check PDF the way a person would read it off the page: from the
 * text drawn on it (pdf-lib writes standard-font text as hex strings in Flate-compressed streams).
 */
export function codeFromConsentPdf(bytes: Uint8Array): string {
  const pdf = Buffer.from(bytes);
  const texts: string[] = [];
  let at = 0;
  for (;;) {
    const start = pdf.indexOf("stream", at);
    if (start < 0) break;
    const bodyStart = start + (pdf[start + 6] === 0x0d ? 8 : 7);
    const end = pdf.indexOf("endstream", bodyStart);
    if (end < 0) break;
    const body = pdf.subarray(bodyStart, end);
    let content: string;
    try {
      content = inflateSync(body).toString("latin1");
    } catch {
      content = body.toString("latin1");
    }
    for (const [, hex] of content.matchAll(/<([0-9A-Fa-f]+)>\s*Tj/g))
      texts.push(Buffer.from(hex, "hex").toString("latin1"));
    for (const [, literal] of content.matchAll(/\(([^)]*)\)\s*Tj/g)) texts.push(literal);
    at = end + 9;
  }
  const code = texts.find((t) => /^[A-Z2-9]{6}$/.test(t));
  if (!code) throw new Error(`no consent code in the PDF (texts: ${texts.join(" | ")})`);
  return code;
}
