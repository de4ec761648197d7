import "server-only";

import { PDFDocument, rgb, type PDFImage, type RGB } from "pdf-lib";

import { FontBook, type FaceName } from "./fonts";
import { PageMarker, writeStructureTree, type StructElement } from "./structure";
import type { Line } from "./text-wrap";
import { writeXmpMetadata } from "./xmp-metadata";

/**
 * Page layout shared by the agreement and certificate PDFs: lines wrapped by
 * text-wrap.ts are placed on pages as drawing operations, and only then
 * painted, so that fonts are embedded only when a document uses them and
 * "Page n of N" is known when footers are drawn. Each op names the structure
 * element it belongs to (structure.ts); ops without one are artifacts.
 */

export const A4 = { width: 595.28, height: 841.89 } as const;
export const A4_LANDSCAPE = { width: 841.89, height: 595.28 } as const;

export const COLORS = {
  text: rgb(0.11, 0.13, 0.16),
  muted: rgb(0.38, 0.42, 0.47),
  accent: rgb(0.09, 0.27, 0.45),
  rule: rgb(0.8, 0.83, 0.87),
  panel: rgb(0.96, 0.97, 0.98),
};

// `tag`: the structure element the op is part of. Text must have one, or be
// marked as an artifact (running headers, footers, page numbers).
export type Op = { tag?: StructElement } & (
  | { kind: "text"; x: number; y: number; text: string; face: FaceName; size: number; color: RGB; artifact?: true }
  | { kind: "line"; x1: number; y1: number; x2: number; y2: number; thickness: number; color: RGB }
  | {
      kind: "rect";
      x: number;
      y: number;
      width: number;
      height: number;
      fill?: RGB;
      border?: RGB;
      borderWidth?: number;
    }
  | { kind: "image"; x: number; y: number; width: number; height: number; png: Uint8Array }
);

export type PageSize = { width: number; height: number };

/** Baseline of a line whose box starts at `top`, for a font size and line height. */
export function baseline(top: number, size: number, lineHeight: number): number {
  return top - (lineHeight - size) / 2 - size * 0.78;
}

export type LineOptions = {
  size: number;
  lineHeight?: number;
  color?: RGB;
  align?: "left" | "center" | "right";
  tag?: StructElement;
};

/** Draws pre-wrapped lines into an op list, top-down from `top`, within [x, x+width]. */
export function drawLines(
  ops: Op[],
  lines: Line[],
  x: number,
  top: number,
  width: number,
  options: LineOptions,
): number {
  const lineHeight = options.lineHeight ?? options.size * 1.4;
  let y = top;
  for (const line of lines) {
    pushLine(ops, line, x, y, width, options);
    y -= lineHeight;
  }
  return y;
}

/** Lines of a paragraph no page may hold fewer of, at its foot (orphans) or its head (widows). */
export const KEEP_LINES = 2;

/**
 * How many of a paragraph's first lines must fit on a page for it to start
 * there: a paragraph too short to split into two parts of KEEP_LINES moves whole.
 */
export function leadingLines(count: number): number {
  return count < KEEP_LINES * 2 ? count : KEEP_LINES;
}

function pushLine(ops: Op[], line: Line, x: number, top: number, width: number, options: LineOptions) {
  const lineHeight = options.lineHeight ?? options.size * 1.4;
  const offset =
    options.align === "center" ? (width - line.width) / 2 : options.align === "right" ? width - line.width : 0;
  const y = baseline(top, options.size, lineHeight);
  for (const piece of line.pieces) {
    if (!piece.text.trim()) continue;
    ops.push({
      kind: "text",
      x: x + offset + piece.x,
      y,
      text: piece.text,
      face: piece.face,
      size: options.size,
      color: options.color ?? COLORS.text,
      tag: options.tag,
    });
  }
  if (line.breakSpace && line.pieces.length)
    ops.push({
      kind: "text",
      x: x + offset + line.width,
      y,
      text: " ",
      face: line.breakSpace,
      size: options.size,
      color: options.color ?? COLORS.text,
      tag: options.tag,
    });
}

export type FlowOptions = {
  pageSize: PageSize;
  margin: { top: number; right: number; bottom: number; left: number };
};

/**
 * A cursor moving down pages: callers ask for room (`ensure`) before placing
 * something that must stay together; a long paragraph breaks across pages
 * leaving at least KEEP_LINES lines on each side of the break.
 */
export class Flow {
  readonly pages: Op[][] = [];
  y = 0;

  constructor(readonly options: FlowOptions) {
    this.newPage();
  }

  get left(): number {
    return this.options.margin.left;
  }
  get width(): number {
    return this.options.pageSize.width - this.options.margin.left - this.options.margin.right;
  }
  get bottom(): number {
    return this.options.margin.bottom;
  }
  get ops(): Op[] {
    return this.pages[this.pages.length - 1];
  }
  get pageNumber(): number {
    return this.pages.length;
  }
  get atTop(): boolean {
    return this.y >= this.options.pageSize.height - this.options.margin.top - 0.001;
  }

  newPage(): void {
    this.pages.push([]);
    this.y = this.options.pageSize.height - this.options.margin.top;
  }

  /** Starts a new page unless `height` points still fit on this one. */
  ensure(height: number): void {
    if (this.y - height < this.bottom && !this.atTop) this.newPage();
  }

  space(points: number): void {
    if (this.atTop) return;
    this.y -= points;
  }

  /**
   * Places wrapped lines with widow and orphan control: a page break inside
   * them leaves at least KEEP_LINES lines before and after it, and a shorter
   * paragraph moves to the next page whole. A list item's marker (`marker`,
   * drawn at `markerIndent`) goes on the line of its first line of text.
   */
  lines(
    lines: Line[],
    options: LineOptions & {
      indent?: number;
      width?: number;
      marker?: { line: Line; indent: number; tag?: StructElement };
    },
  ): void {
    const lineHeight = options.lineHeight ?? options.size * 1.4;
    const x = this.left + (options.indent ?? 0);
    const width = options.width ?? this.width - (options.indent ?? 0);
    let next = 0;
    while (next < lines.length) {
      const remaining = lines.length - next;
      const room = Math.floor((this.y - this.bottom + 0.001) / lineHeight);
      let take = room >= remaining ? remaining : Math.min(room, remaining - KEEP_LINES);
      if (take < Math.min(KEEP_LINES, remaining)) {
        if (!this.atTop) {
          this.newPage();
          continue;
        }
        // A page too short for the rule: fill it.
        take = Math.max(1, Math.min(room, remaining));
      }
      for (const line of lines.slice(next, next + take)) {
        if (next === 0 && options.marker) {
          const { marker } = options;
          pushLine(this.ops, marker.line, this.left + marker.indent, this.y, Number.POSITIVE_INFINITY, {
            ...options,
            align: "left",
            tag: marker.tag,
          });
        }
        pushLine(this.ops, line, x, this.y, width, options);
        this.y -= lineHeight;
        next += 1;
      }
      if (next < lines.length) this.newPage();
    }
  }

  rule(color: RGB = COLORS.rule, thickness = 0.75): void {
    this.ops.push({
      kind: "line",
      x1: this.left,
      y1: this.y,
      x2: this.left + this.width,
      y2: this.y,
      thickness,
      color,
    });
  }
}

/**
 * Embeds the fonts and images the ops use, then draws every page as a tagged
 * PDF: the ops of each structure element in a marked-content sequence, the
 * rest as artifacts, and the structure under `structure` written out.
 */
export async function paint(
  pages: Op[][],
  pageSize: PageSize,
  metadata: { title: string; author: string; subject?: string; creationDate: Date; lang: string },
  structure: StructElement,
): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(metadata.title, { showInWindowTitleBar: true });
  doc.setAuthor(metadata.author);
  if (metadata.subject) doc.setSubject(metadata.subject);
  doc.setCreator("Clearance");
  doc.setProducer("Clearance (pdf-lib)");
  doc.setCreationDate(metadata.creationDate);
  doc.setModificationDate(metadata.creationDate);

  const fonts = new FontBook(doc);
  const faces = new Set<FaceName>();
  for (const page of pages) for (const op of page) if (op.kind === "text") faces.add(op.face);
  await fonts.embed(faces);

  const images = new Map<Uint8Array, PDFImage>();
  for (const page of pages) {
    for (const op of page) {
      if (op.kind === "image" && !images.has(op.png)) images.set(op.png, await doc.embedPng(op.png));
    }
  }

  const marked: { page: ReturnType<typeof doc.addPage>; parents: StructElement[] }[] = [];
  pages.forEach((ops, pageIndex) => {
    const page = doc.addPage([pageSize.width, pageSize.height]);
    const marker = new PageMarker(page, pageIndex);
    for (const op of ops) {
      if (op.kind === "text" && !op.tag && !op.artifact)
        throw new Error(`Text "${op.text}" belongs to no structure element`);
      marker.mark(op.tag);
      if (op.kind === "text")
        page.drawText(op.text, { x: op.x, y: op.y, size: op.size, font: fonts.get(op.face), color: op.color });
      else if (op.kind === "line")
        page.drawLine({
          start: { x: op.x1, y: op.y1 },
          end: { x: op.x2, y: op.y2 },
          thickness: op.thickness,
          color: op.color,
        });
      else if (op.kind === "rect")
        page.drawRectangle({
          x: op.x,
          y: op.y,
          width: op.width,
          height: op.height,
          color: op.fill,
          borderColor: op.border,
          borderWidth: op.border ? (op.borderWidth ?? 1) : 0,
        });
      else page.drawImage(images.get(op.png)!, { x: op.x, y: op.y, width: op.width, height: op.height });
    }
    marker.close();
    marked.push({ page, parents: marker.parents });
  });
  writeStructureTree(doc, structure, marked, metadata.lang);
  writeXmpMetadata(doc, metadata);
  return doc.save();
}
