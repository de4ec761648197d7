import "server-only";

import { formatLongDateTime } from "@/lib/format";

import { blocksStartHeight, drawBlocks } from "./draw-blocks";
import { A4, COLORS, drawLines, Flow, leadingLines, paint } from "./layout";
import { BODY, markdownBlocks, plain, type Block } from "./markdown-blocks";
import { StructElement } from "./structure";
import { spans, wrap } from "./text-wrap";

export type AgreementPdfInput = {
  documentId: string;
  title: string;
  version: string;
  organisation: string;
  bodyMarkdown: string;
  signer: { name: string; email: string; organisation?: string };
  signedAt: Date;
  signatureImagePng?: Uint8Array;
  certificate: {
    authMethod: string;
    ip: string;
    userAgent: string;
    consentVersion: string;
    /** The consent as Markdown (numbered points, emphasis), as the signer read it. */
    consentMarkdown: string;
    textSha256: string;
    events: { at: Date; label: string }[];
  };
};

const MARGIN = 56;

/**
 * The agreement as signed, with a signature block and the signing certificate
 * as its last page(s): a tagged PDF, unsealed.
 */
export async function renderAgreementPdf(input: AgreementPdfInput): Promise<Uint8Array> {
  const flow = new Flow({ pageSize: A4, margin: { top: MARGIN, right: MARGIN, bottom: MARGIN + 14, left: MARGIN } });
  const document = new StructElement("Document");

  drawTitle(flow, document, input);
  const blocks = markdownBlocks(input.bodyMarkdown);
  // The template often repeats the title as its first heading.
  if (
    blocks[0]?.kind === "heading" &&
    blocks[0].depth === 1 &&
    plain(blocks[0].spans).trim().toLowerCase() === input.title.trim().toLowerCase()
  )
    blocks.shift();
  drawBlocks(flow, blocks, document, { ...BODY, topHeadingLevel: topHeadingLevel(blocks, 2) });
  drawSignature(flow, document, input);
  flow.newPage();
  drawCertificate(flow, document.add("Sect"), input);

  addHeadersAndFooters(flow, input);
  return paint(
    flow.pages,
    A4,
    {
      title: `${input.title} (version ${input.version})`,
      author: input.organisation,
      subject: `Signed by ${input.signer.name} <${input.signer.email}> on ${input.signedAt.toISOString()}. Document ${input.documentId}.`,
      creationDate: input.signedAt,
      lang: "en",
    },
    document,
  );
}

/** The level that makes the highest heading among `blocks` an H`level`, so no level is skipped. */
function topHeadingLevel(blocks: Block[], level: number): number {
  const depths = blocks.flatMap((b) => (b.kind === "heading" ? [b.depth] : []));
  return depths.length ? level - Math.min(...depths) + 1 : level;
}

function drawTitle(flow: Flow, document: StructElement, input: AgreementPdfInput) {
  flow.lines(wrap(spans(input.organisation.toUpperCase(), true), 9, flow.width), {
    size: 9,
    lineHeight: 13,
    color: COLORS.accent,
    tag: document.add("P"),
  });
  flow.space(4);
  flow.lines(wrap(spans(input.title, true), 20, flow.width), { size: 20, lineHeight: 26, tag: document.add("H1") });
  flow.space(2);
  flow.lines(wrap(spans(`Version ${input.version}  ·  Document ${input.documentId}`), 9, flow.width), {
    size: 9,
    lineHeight: 13,
    color: COLORS.muted,
    tag: document.add("P"),
  });
  flow.space(10);
  flow.rule(COLORS.accent, 1.25);
  flow.space(16);
}

// ---------------------------------------------------------------- signature

const SIGNATURE_IMAGE = { maxWidth: 220, maxHeight: 64 };

function pngSize(png: Uint8Array): { width: number; height: number } {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.length < 24 || signature.some((b, i) => png[i] !== b))
    throw new Error("signatureImagePng is not a PNG image");
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

function drawSignature(flow: Flow, document: StructElement, input: AgreementPdfInput) {
  const pad = 14;
  const inner = flow.width - pad * 2;
  const label = wrap(spans("Signed electronically by"), 8.5, inner);
  const name = wrap(spans(input.signer.name, true), 18, inner);
  const details = [
    input.signer.email,
    ...(input.signer.organisation ? [`On behalf of ${input.signer.organisation}`] : []),
    `Signed ${formatLongDateTime(input.signedAt, { seconds: true })}`,
  ].flatMap((text) => wrap(spans(text), 10, inner));
  // The block stays on one page and the certificate starts on the next.
  const note = (certificatePage: number) =>
    wrap(spans(`Signing details and audit trail: page ${certificatePage} (signing certificate).`), 8.5, inner);

  let image: { width: number; height: number } | undefined;
  if (input.signatureImagePng) {
    const size = pngSize(input.signatureImagePng);
    const scale = Math.min(SIGNATURE_IMAGE.maxWidth / size.width, SIGNATURE_IMAGE.maxHeight / size.height, 1);
    image = { width: size.width * scale, height: size.height * scale };
  }

  const heading = wrap(spans("Electronic signature", true), 12.5, flow.width);
  const height =
    heading.length * 16 +
    8 +
    pad * 2 +
    label.length * 12 +
    6 +
    (image ? image.height + 8 : 0) +
    name.length * 23 +
    4 +
    details.length * 14.5 +
    6 +
    note(999).length * 12;
  flow.space(22);
  flow.ensure(height);
  flow.lines(heading, { size: 12.5, lineHeight: 16, color: COLORS.accent, tag: document.add("H2") });
  flow.space(8);

  const top = flow.y;
  flow.ops.push({
    kind: "rect",
    x: flow.left,
    y: top - (height - heading.length * 16 - 8),
    width: flow.width,
    height: height - heading.length * 16 - 8,
    fill: COLORS.panel,
    border: COLORS.rule,
    borderWidth: 0.75,
  });
  flow.y -= pad;
  flow.lines(label, { size: 8.5, lineHeight: 12, indent: pad, color: COLORS.muted, tag: document.add("P") });
  flow.space(6);
  if (image && input.signatureImagePng) {
    flow.ops.push({
      kind: "image",
      x: flow.left + pad,
      y: flow.y - image.height,
      width: image.width,
      height: image.height,
      png: input.signatureImagePng,
      tag: document.add("Figure", { alt: `Signature drawn by ${input.signer.name}` }),
    });
    flow.y -= image.height + 2;
    flow.ops.push({
      kind: "line",
      x1: flow.left + pad,
      y1: flow.y,
      x2: flow.left + pad + Math.max(image.width, 220),
      y2: flow.y,
      thickness: 0.5,
      color: COLORS.muted,
    });
    flow.y -= 6;
  }
  flow.lines(name, { size: 18, lineHeight: 23, indent: pad, tag: document.add("P") });
  flow.space(4);
  flow.lines(details, { size: 10, lineHeight: 14.5, indent: pad, tag: document.add("P") });
  flow.space(6);
  flow.lines(note(flow.pageNumber + 1), {
    size: 8.5,
    lineHeight: 12,
    indent: pad,
    color: COLORS.muted,
    tag: document.add("P"),
  });
}

// ---------------------------------------------------------------- certificate

const LABEL_WIDTH = 132;
const CONSENT_TEXT = { size: 9.5, lineHeight: 13.8 };

/** One row of a two-column table: the label (a row header) and its value. */
function row(flow: Flow, table: StructElement, label: string, value: string, options: { size?: number } = {}) {
  const size = options.size ?? 9.5;
  const lineHeight = size * 1.45;
  const labelLines = wrap(spans(label, true), 8.5, LABEL_WIDTH - 12);
  const valueLines = wrap(spans(value), size, flow.width - LABEL_WIDTH);
  const tr = table.add("TR");
  const th = tr.add("TH", { scope: "Row" });
  const td = tr.add("TD");
  // The label and the first lines of the value stay together; a long value may continue overleaf.
  flow.ensure(Math.max(labelLines.length * 12.5, leadingLines(valueLines.length) * lineHeight));
  const startPage = flow.pageNumber;
  const top = flow.y;
  flow.lines(valueLines, { size, lineHeight, indent: LABEL_WIDTH, tag: td });
  const labelBottom = drawLines(
    flow.pages[startPage - 1],
    labelLines,
    flow.left,
    top - (lineHeight - 12.5) / 2,
    LABEL_WIDTH - 12,
    { size: 8.5, lineHeight: 12.5, color: COLORS.muted, tag: th },
  );
  if (flow.pageNumber === startPage) flow.y = Math.min(flow.y, labelBottom);
  flow.space(5);
}

/**
 * A titled section of the certificate, kept with `following` points of what
 * comes after it (by default, two table rows).
 */
function section(flow: Flow, parent: StructElement, title: string, following = 2 * 14) {
  const lines = wrap(spans(title, true), 11.5, flow.width);
  flow.space(14);
  flow.ensure(lines.length * 15 + 11 + following);
  flow.lines(lines, { size: 11.5, lineHeight: 15, color: COLORS.accent, tag: parent.add("H2") });
  flow.space(3);
  flow.rule();
  flow.space(8);
}

function drawCertificate(flow: Flow, certificate: StructElement, input: AgreementPdfInput) {
  const c = input.certificate;
  flow.lines(wrap(spans("Signing certificate", true), 17, flow.width), {
    size: 17,
    lineHeight: 22,
    tag: certificate.add("H1"),
  });
  flow.space(2);
  flow.lines(
    wrap(
      spans(
        `This page records who signed this document, how they were identified and when each step happened. It is part of the document and is covered by its digital seal.`,
      ),
      9.5,
      flow.width,
    ),
    { size: 9.5, lineHeight: 13.5, color: COLORS.muted, tag: certificate.add("P") },
  );
  flow.space(10);
  flow.rule(COLORS.accent, 1.25);
  flow.space(12);

  const documentTable = certificate.add("Table");
  row(flow, documentTable, "Document ID", input.documentId);
  row(flow, documentTable, "Agreement", input.title);
  row(flow, documentTable, "Version", input.version);
  row(flow, documentTable, "Organisation", input.organisation);

  section(flow, certificate, "Signer");
  const signer = certificate.add("Table");
  row(flow, signer, "Name", input.signer.name);
  row(flow, signer, "Email", input.signer.email);
  if (input.signer.organisation) row(flow, signer, "Signing for", input.signer.organisation);
  row(flow, signer, "Signed at (UTC)", input.signedAt.toISOString());
  row(flow, signer, "Authentication", c.authMethod);
  row(flow, signer, "IP address", c.ip);
  row(flow, signer, "User agent", c.userAgent, { size: 8.5 });

  section(flow, certificate, "Events (UTC, ISO 8601)");
  const events = certificate.add("Table");
  for (const event of [...c.events].sort((a, b) => a.at.getTime() - b.at.getTime()))
    row(flow, events, event.at.toISOString(), event.label);

  // The consent is Markdown: its numbered points are drawn and tagged as a list.
  const consent = markdownBlocks(c.consentMarkdown);
  const consentStyle = { ...CONSENT_TEXT, topHeadingLevel: topHeadingLevel(consent, 3) };
  section(
    flow,
    certificate,
    `Consent to electronic records (version ${c.consentVersion})`,
    consent.length ? blocksStartHeight(consent, flow.width, consentStyle) : 0,
  );
  drawBlocks(flow, consent, certificate, consentStyle);

  // The last section stays whole, so the certificate never ends on a page holding only its last lines.
  const integrity = wrap(
    spans(
      `After signing, ${input.organisation} sealed this file with a digital signature (PKCS#7, SHA-256). Any change to the file after sealing invalidates the seal; a PDF reader shows the seal in its signature panel.`,
    ),
    8.5,
    flow.width,
  );
  const hashLines = wrap(spans(c.textSha256), 8.5, flow.width - LABEL_WIDTH).length;
  section(flow, certificate, "Integrity", hashLines * 8.5 * 1.45 + 5 + 4 + integrity.length * 12);
  row(flow, certificate.add("Table"), "SHA-256 of the agreement text", c.textSha256, { size: 8.5 });
  flow.space(4);
  flow.lines(integrity, { size: 8.5, lineHeight: 12, color: COLORS.muted, tag: certificate.add("P") });
}

// ---------------------------------------------------------------- page furniture

function addHeadersAndFooters(flow: Flow, input: AgreementPdfInput) {
  const total = flow.pages.length;
  const { width } = A4;
  flow.pages.forEach((ops, i) => {
    const footer = wrap(spans(`Document ${input.documentId} · Page ${i + 1} of ${total}`), 8, Number.POSITIVE_INFINITY);
    const y = 30;
    ops.push({
      kind: "line",
      x1: MARGIN,
      y1: y + 14,
      x2: width - MARGIN,
      y2: y + 14,
      thickness: 0.5,
      color: COLORS.rule,
    });
    for (const line of footer) {
      for (const piece of line.pieces) {
        if (piece.text.trim())
          ops.push({
            kind: "text",
            x: (width - line.width) / 2 + piece.x,
            y,
            text: piece.text,
            face: piece.face,
            size: 8,
            color: COLORS.muted,
            artifact: true,
          });
      }
    }
    if (i > 0) {
      const header = wrap(spans(`${input.title} · Version ${input.version}`), 8, width - MARGIN * 2);
      for (const piece of header[0]?.pieces ?? []) {
        if (piece.text.trim())
          ops.push({
            kind: "text",
            x: MARGIN + piece.x,
            y: A4.height - 34,
            text: piece.text,
            face: piece.face,
            size: 8,
            color: COLORS.muted,
            artifact: true,
          });
      }
    }
  });
}
