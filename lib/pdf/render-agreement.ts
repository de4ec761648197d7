import "server-only";

import { formatLongDateTime } from "@/lib/format";

import { A4, baseline, COLORS, drawLines, Flow, paint, type Op } from "./layout";
import { BODY, LIST_INDENT, markdownBlocks, plain, type Block } from "./markdown-blocks";
import { spans, wrap, type Line } from "./text-wrap";

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
    consentText: string;
    textSha256: string;
    events: { at: Date; label: string }[];
  };
};

const MARGIN = 56;
const HEADING: Record<number, { size: number; before: number; after: number }> = {
  1: { size: 15, before: 14, after: 6 },
  2: { size: 12.5, before: 12, after: 5 },
  3: { size: 11, before: 9, after: 4 },
};
const PARAGRAPH_GAP = 7;

/** The agreement as signed, with a signature block and the signing certificate as its last page(s). Unsealed. */
export async function renderAgreementPdf(input: AgreementPdfInput): Promise<Uint8Array> {
  const flow = new Flow({ pageSize: A4, margin: { top: MARGIN, right: MARGIN, bottom: MARGIN + 14, left: MARGIN } });

  drawTitle(flow, input);
  const blocks = markdownBlocks(input.bodyMarkdown);
  // The template often repeats the title as its first heading.
  if (
    blocks[0]?.kind === "heading" &&
    blocks[0].depth === 1 &&
    plain(blocks[0].spans).trim().toLowerCase() === input.title.trim().toLowerCase()
  )
    blocks.shift();
  drawBlocks(flow, blocks);
  drawSignature(flow, input);
  flow.newPage();
  drawCertificate(flow, input);

  addHeadersAndFooters(flow, input);
  return paint(flow.pages, A4, {
    title: `${input.title} (version ${input.version})`,
    author: input.organisation,
    subject: `Signed by ${input.signer.name} <${input.signer.email}> on ${input.signedAt.toISOString()}. Document ${input.documentId}.`,
    creationDate: input.signedAt,
  });
}

function drawTitle(flow: Flow, input: AgreementPdfInput) {
  flow.lines(wrap(spans(input.organisation.toUpperCase(), true), 9, flow.width), {
    size: 9,
    lineHeight: 13,
    color: COLORS.accent,
  });
  flow.space(4);
  flow.lines(wrap(spans(input.title, true), 20, flow.width), { size: 20, lineHeight: 26 });
  flow.space(2);
  flow.lines(wrap(spans(`Version ${input.version}  ·  Document ${input.documentId}`), 9, flow.width), {
    size: 9,
    lineHeight: 13,
    color: COLORS.muted,
  });
  flow.space(10);
  flow.rule(COLORS.accent, 1.25);
  flow.space(16);
}

type Prepared = {
  block: Block;
  lines: Line[];
  size: number;
  lineHeight: number;
  indent: number;
  textIndent: number;
  before: number;
};

function prepare(block: Block, width: number, previous: Block | undefined): Prepared | undefined {
  if (block.kind === "rule") return undefined;
  if (block.kind === "heading") {
    const style = HEADING[block.depth];
    const lines = wrap(
      block.spans.map((s) => ({ ...s, bold: true })),
      style.size,
      width,
    );
    return {
      block,
      lines,
      size: style.size,
      lineHeight: style.size * 1.3,
      indent: 0,
      textIndent: 0,
      before: previous ? style.before : 0,
    };
  }
  const indent = block.indent - (block.marker ? (block.hang ?? LIST_INDENT) : 0);
  const textIndent = block.indent;
  const lines = block.spans.length ? wrap(block.spans, BODY.size, width - textIndent) : [];
  const gap = !previous
    ? 0
    : previous.kind === "heading"
      ? HEADING[previous.depth].after
      : block.listStart
        ? 5
        : block.tight
          ? 3
          : PARAGRAPH_GAP;
  return { block, lines, size: BODY.size, lineHeight: BODY.lineHeight, indent, textIndent, before: gap };
}

function drawBlocks(flow: Flow, blocks: Block[]) {
  let previous: Block | undefined;
  blocks.forEach((block, i) => {
    if (block.kind === "rule") {
      flow.space(8);
      flow.ensure(10);
      flow.rule();
      flow.space(8);
      previous = undefined;
      return;
    }
    const item = prepare(block, flow.width, previous)!;
    flow.space(item.before);
    if (block.kind === "heading") {
      // Keep a heading with the first two lines of what follows it.
      const next = blocks[i + 1] ? prepare(blocks[i + 1], flow.width, block) : undefined;
      const following = next ? next.before + Math.min(2, next.lines.length) * next.lineHeight : 0;
      flow.ensure(item.lines.length * item.lineHeight + following);
      flow.lines(item.lines, { size: item.size, lineHeight: item.lineHeight, color: COLORS.accent });
    } else {
      // Avoid a lone first line at the foot of a page.
      flow.ensure(Math.min(2, Math.max(1, item.lines.length)) * item.lineHeight);
      if (block.marker) {
        const top = flow.y;
        const markerLine = wrap(spans(block.marker), BODY.size, Number.POSITIVE_INFINITY);
        flow.ops.push(...markerOps(markerLine, flow.left + item.indent, top, block.muted));
        if (item.lines.length === 0) flow.y -= item.lineHeight;
      }
      flow.lines(item.lines, {
        size: item.size,
        lineHeight: item.lineHeight,
        indent: item.textIndent,
        color: block.muted ? COLORS.muted : COLORS.text,
      });
    }
    previous = block;
  });
}

function markerOps(lines: Line[], x: number, top: number, muted?: boolean): Op[] {
  const y = baseline(top, BODY.size, BODY.lineHeight);
  return (lines[0]?.pieces ?? []).map((piece) => ({
    kind: "text",
    x: x + piece.x,
    y,
    text: piece.text,
    face: piece.face,
    size: BODY.size,
    color: muted ? COLORS.muted : COLORS.text,
  }));
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

function drawSignature(flow: Flow, input: AgreementPdfInput) {
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
  flow.lines(heading, { size: 12.5, lineHeight: 16, color: COLORS.accent });
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
  flow.lines(label, { size: 8.5, lineHeight: 12, indent: pad, color: COLORS.muted });
  flow.space(6);
  if (image && input.signatureImagePng) {
    flow.ops.push({
      kind: "image",
      x: flow.left + pad,
      y: flow.y - image.height,
      width: image.width,
      height: image.height,
      png: input.signatureImagePng,
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
  flow.lines(name, { size: 18, lineHeight: 23, indent: pad });
  flow.space(4);
  flow.lines(details, { size: 10, lineHeight: 14.5, indent: pad });
  flow.space(6);
  flow.lines(note(flow.pageNumber + 1), { size: 8.5, lineHeight: 12, indent: pad, color: COLORS.muted });
}

// ---------------------------------------------------------------- certificate

const LABEL_WIDTH = 132;

function row(flow: Flow, label: string, value: string, options: { size?: number } = {}) {
  const size = options.size ?? 9.5;
  const lineHeight = size * 1.45;
  const labelLines = wrap(spans(label, true), 8.5, LABEL_WIDTH - 12);
  const valueLines = wrap(spans(value), size, flow.width - LABEL_WIDTH);
  // The label and the first lines of the value stay together; a long value may continue overleaf.
  flow.ensure(Math.max(labelLines.length * 12.5, Math.min(valueLines.length, 3) * lineHeight));
  const startPage = flow.pageNumber;
  const top = flow.y;
  flow.lines(valueLines, { size, lineHeight, indent: LABEL_WIDTH });
  const labelBottom = drawLines(
    flow.pages[startPage - 1],
    labelLines,
    flow.left,
    top - (lineHeight - 12.5) / 2,
    LABEL_WIDTH - 12,
    { size: 8.5, lineHeight: 12.5, color: COLORS.muted },
  );
  if (flow.pageNumber === startPage) flow.y = Math.min(flow.y, labelBottom);
  flow.space(5);
}

function section(flow: Flow, title: string) {
  const lines = wrap(spans(title, true), 11.5, flow.width);
  flow.space(14);
  flow.ensure(lines.length * 15 + 8 + 2 * 14);
  flow.lines(lines, { size: 11.5, lineHeight: 15, color: COLORS.accent });
  flow.space(3);
  flow.rule();
  flow.space(8);
}

function drawCertificate(flow: Flow, input: AgreementPdfInput) {
  const c = input.certificate;
  flow.lines(wrap(spans("Signing certificate", true), 17, flow.width), { size: 17, lineHeight: 22 });
  flow.space(2);
  flow.lines(
    wrap(
      spans(
        `This page records who signed this document, how they were identified and when each step happened. It is part of the document and is covered by its digital seal.`,
      ),
      9.5,
      flow.width,
    ),
    { size: 9.5, lineHeight: 13.5, color: COLORS.muted },
  );
  flow.space(10);
  flow.rule(COLORS.accent, 1.25);
  flow.space(12);

  row(flow, "Document ID", input.documentId);
  row(flow, "Agreement", input.title);
  row(flow, "Version", input.version);
  row(flow, "Organisation", input.organisation);

  section(flow, "Signer");
  row(flow, "Name", input.signer.name);
  row(flow, "Email", input.signer.email);
  if (input.signer.organisation) row(flow, "Signing for", input.signer.organisation);
  row(flow, "Signed at (UTC)", input.signedAt.toISOString());
  row(flow, "Authentication", c.authMethod);
  row(flow, "IP address", c.ip);
  row(flow, "User agent", c.userAgent, { size: 8.5 });

  section(flow, "Events (UTC, ISO 8601)");
  for (const event of [...c.events].sort((a, b) => a.at.getTime() - b.at.getTime()))
    row(flow, event.at.toISOString(), event.label);

  section(flow, `Consent to electronic records (version ${c.consentVersion})`);
  const paragraphs = c.consentText
    .replace(/\r\n?/g, "\n")
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  paragraphs.forEach((paragraph, i) => {
    if (i) flow.space(5);
    flow.lines(wrap(spans(paragraph), 9.5, flow.width), { size: 9.5, lineHeight: 13.8 });
  });

  section(flow, "Integrity");
  row(flow, "SHA-256 of the agreement text", c.textSha256, { size: 8.5 });
  flow.space(4);
  flow.lines(
    wrap(
      spans(
        `After signing, ${input.organisation} sealed this file with a digital signature (PKCS#7, SHA-256). Any change to the file after sealing invalidates the seal; a PDF reader shows the seal in its signature panel.`,
      ),
      8.5,
      flow.width,
    ),
    { size: 8.5, lineHeight: 12, color: COLORS.muted },
  );
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
          });
      }
    }
  });
}
