import "server-only";

import type { RGB } from "pdf-lib";
import QRCode from "qrcode";

import { formatLongDate } from "@/lib/format";

import { A4_LANDSCAPE, COLORS, drawLines, paint, type Op } from "./layout";
import { StructElement, type StructRole } from "./structure";
import { spans, textWidth, wrap, type Line } from "./text-wrap";

export type CertificatePdfInput = {
  personName: string;
  courseTitle: string;
  courseVersion: string;
  organisation: string;
  issuedAt: Date;
  expiresAt: Date;
  verificationCode: string;
  verifyUrl: string;
};

const { width: W, height: H } = A4_LANDSCAPE;
const CONTENT_WIDTH = W - 180;
const FACTS_TOP = 148;
const QR_SIZE = 64;

/** Largest size from `max` down to `min` at which the text fits on one line; wraps at `min`. */
function fitted(text: string, bold: boolean, max: number, min: number, width: number): { lines: Line[]; size: number } {
  for (let size = max; size > min; size -= 1) {
    if (textWidth(spans(text, bold), size) <= width) return { lines: wrap(spans(text, bold), size, width), size };
  }
  return { lines: wrap(spans(text, bold), min, width), size: min };
}

/** A one-page landscape certificate of course completion, as a tagged PDF. */
export async function renderCertificatePdf(input: CertificatePdfInput): Promise<Uint8Array> {
  const ops: Op[] = [];
  const document = new StructElement("Document");
  const x = (W - CONTENT_WIDTH) / 2;
  const centred = (
    lines: Line[],
    top: number,
    size: number,
    color = COLORS.text,
    lineHeight = size * 1.3,
    role: StructRole = "P",
  ) =>
    drawLines(ops, lines, x, top, CONTENT_WIDTH, { size, lineHeight, color, align: "center", tag: document.add(role) });

  // Frame: a strong outer border and a fine inner one.
  ops.push({ kind: "rect", x: 22, y: 22, width: W - 44, height: H - 44, border: COLORS.accent, borderWidth: 2.5 });
  ops.push({ kind: "rect", x: 30, y: 30, width: W - 60, height: H - 60, border: COLORS.rule, borderWidth: 0.75 });

  let y = H - 74;
  y = centred(wrap(spans(input.organisation.toUpperCase(), true), 11, CONTENT_WIDTH), y, 11, COLORS.accent, 15);
  y -= 14;
  y = centred(wrap(spans("Certificate of Completion", true), 30, CONTENT_WIDTH), y, 30, COLORS.text, 38, "H1");
  y -= 8;
  ops.push({ kind: "line", x1: W / 2 - 40, y1: y, x2: W / 2 + 40, y2: y, thickness: 1.5, color: COLORS.accent });
  const ruleY = y;

  // The middle block sits centred between the title rule and the facts row.
  const name = fitted(input.personName, true, 28, 20, CONTENT_WIDTH);
  const course = fitted(input.courseTitle, true, 20, 15, CONTENT_WIDTH);
  const middle: { lines: Line[]; size: number; lineHeight: number; color: RGB; after: number }[] = [
    {
      lines: wrap(spans("This certifies that"), 12, CONTENT_WIDTH),
      size: 12,
      lineHeight: 16,
      color: COLORS.muted,
      after: 10,
    },
    { lines: name.lines.slice(0, 2), size: name.size, lineHeight: name.size * 1.3, color: COLORS.text, after: 10 },
    {
      lines: wrap(spans("has successfully completed the course"), 12, CONTENT_WIDTH),
      size: 12,
      lineHeight: 16,
      color: COLORS.muted,
      after: 10,
    },
    {
      lines: course.lines.slice(0, 3),
      size: course.size,
      lineHeight: course.size * 1.3,
      color: COLORS.accent,
      after: 3,
    },
    {
      lines: wrap(spans(`Version ${input.courseVersion}`), 10.5, CONTENT_WIDTH),
      size: 10.5,
      lineHeight: 14,
      color: COLORS.muted,
      after: 0,
    },
  ];
  const middleHeight = middle.reduce((h, b) => h + b.lines.length * b.lineHeight + b.after, 0);
  y = (ruleY + FACTS_TOP + 14) / 2 + middleHeight / 2;
  for (const block of middle) y = centred(block.lines, y, block.size, block.color, block.lineHeight) - block.after;

  // Facts in three columns above the verification line.
  const columns: [string, string][] = [
    ["ISSUED", formatLongDate(input.issuedAt)],
    ["VALID UNTIL", formatLongDate(input.expiresAt)],
    ["VERIFICATION CODE", input.verificationCode],
  ];
  const columnWidth = CONTENT_WIDTH / columns.length;
  // A table of one header row and one row of values, read column by column by sight.
  const table = document.add("Table");
  const headerRow = table.add("TR");
  const valueRow = table.add("TR");
  ops.push({
    kind: "line",
    x1: x,
    y1: FACTS_TOP + 14,
    x2: x + CONTENT_WIDTH,
    y2: FACTS_TOP + 14,
    thickness: 0.75,
    color: COLORS.rule,
  });
  columns.forEach(([label, value], i) => {
    const left = x + i * columnWidth;
    const top = drawLines(ops, wrap(spans(label, true), 8, columnWidth - 12), left, FACTS_TOP, columnWidth, {
      size: 8,
      lineHeight: 12,
      color: COLORS.muted,
      align: "center",
      tag: headerRow.add("TH", { scope: "Column" }),
    });
    drawLines(ops, wrap(spans(value, true), 12.5, columnWidth - 12), left, top - 3, columnWidth, {
      size: 12.5,
      lineHeight: 16,
      align: "center",
      tag: valueRow.add("TD"),
    });
  });

  // A QR code to the same address, in the lower right corner inside the frame.
  const png = await QRCode.toBuffer(input.verifyUrl, { type: "png", errorCorrectionLevel: "M", margin: 1, width: 256 });
  const verify = wrap(spans(`Verify at ${input.verifyUrl}`), 9.5, CONTENT_WIDTH);
  drawLines(ops, verify.slice(0, 2), x, 84, CONTENT_WIDTH, {
    size: 9.5,
    lineHeight: 13,
    color: COLORS.muted,
    align: "center",
    tag: document.add("P"),
  });
  ops.push({
    kind: "image",
    x: W - 42 - QR_SIZE,
    y: 42,
    width: QR_SIZE,
    height: QR_SIZE,
    png,
    tag: document.add("Figure", { alt: `QR code linking to ${input.verifyUrl}` }),
  });

  return paint(
    [ops],
    A4_LANDSCAPE,
    {
      title: `Certificate of completion: ${input.courseTitle}`,
      author: input.organisation,
      subject: `${input.personName} completed ${input.courseTitle} (version ${input.courseVersion}). Verification code ${input.verificationCode}.`,
      creationDate: input.issuedAt,
      lang: "en",
    },
    document,
  );
}
