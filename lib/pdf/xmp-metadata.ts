import "server-only";

import { PDFName, type PDFDocument } from "pdf-lib";

/**
 * The document's title, author, subject and language as an XMP metadata
 * stream (ISO 32000-1 §14.3.2), where assistive technology and archiving
 * tools look for them; the Info dictionary carries the same values.
 */
export function writeXmpMetadata(
  doc: PDFDocument,
  metadata: { title: string; author: string; subject?: string; lang: string; creationDate: Date },
): void {
  const lang = escapeXml(metadata.lang);
  const alt = (value: string) =>
    `<rdf:Alt><rdf:li xml:lang="x-default">${escapeXml(value)}</rdf:li><rdf:li xml:lang="${lang}">${escapeXml(value)}</rdf:li></rdf:Alt>`;
  const date = metadata.creationDate.toISOString();
  const xml = [
    `<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>`,
    `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">`,
    `<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">`,
    `<dc:format>application/pdf</dc:format>`,
    `<dc:title>${alt(metadata.title)}</dc:title>`,
    `<dc:creator><rdf:Seq><rdf:li>${escapeXml(metadata.author)}</rdf:li></rdf:Seq></dc:creator>`,
    metadata.subject ? `<dc:description>${alt(metadata.subject)}</dc:description>` : "",
    `<dc:language><rdf:Bag><rdf:li>${lang}</rdf:li></rdf:Bag></dc:language>`,
    `<xmp:CreateDate>${date}</xmp:CreateDate><xmp:ModifyDate>${date}</xmp:ModifyDate>`,
    `<xmp:CreatorTool>Clearance</xmp:CreatorTool><pdf:Producer>Clearance (pdf-lib)</pdf:Producer>`,
    `</rdf:Description></rdf:RDF></x:xmpmeta>`,
    `<?xpacket end="w"?>`,
  ].join("\n");
  // Uncompressed, as XMP is meant to be found by tools that do not parse PDF.
  const stream = doc.context.stream(new TextEncoder().encode(xml), { Type: "Metadata", Subtype: "XML" });
  doc.catalog.set(PDFName.of("Metadata"), doc.context.register(stream));
}

/** Text as XML character data; control characters, which XML cannot carry, are dropped. */
function escapeXml(value: string): string {
  return value
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "")
    .replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);
}
