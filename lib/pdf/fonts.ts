import "server-only";

import { readFileSync } from "node:fs";
import path from "node:path";

import fontkit, { type Font } from "@pdf-lib/fontkit";
import type { PDFDocument, PDFFont } from "pdf-lib";

/**
 * The fonts shipped in assets/fonts (Noto, SIL OFL 1.1). Noto Sans covers
 * Latin, Greek and Cyrillic; the others are fallbacks chosen per text run for
 * characters it lacks. All are embedded as subsets, so a PDF carries only the
 * glyphs it uses.
 */
export type FaceName = "sans" | "sansBold" | "arabic" | "arabicBold" | "cjk" | "hangul";

const FILES: Record<FaceName, string> = {
  sans: "NotoSans-Regular.ttf",
  sansBold: "NotoSans-Bold.ttf",
  arabic: "NotoSansArabic-Regular.ttf",
  arabicBold: "NotoSansArabic-Bold.ttf",
  cjk: "NotoSansSC-Regular.ttf",
  hangul: "NotoSansKR-Regular.ttf",
};

// The CJK fonts have one weight; bold CJK text uses the regular face.
const FALLBACKS: Record<"regular" | "bold", FaceName[]> = {
  regular: ["sans", "arabic", "cjk", "hangul"],
  bold: ["sansBold", "arabicBold", "cjk", "hangul"],
};

export const RTL_FACES: ReadonlySet<FaceName> = new Set(["arabic", "arabicBold"]);

export const FONT_DIR = path.join(process.cwd(), "assets", "fonts");

const bytesCache = new Map<FaceName, Uint8Array>();
const metricsCache = new Map<FaceName, Font>();

export function fontBytes(face: FaceName): Uint8Array {
  let bytes = bytesCache.get(face);
  if (!bytes) {
    bytes = new Uint8Array(readFileSync(path.join(FONT_DIR, FILES[face])));
    bytesCache.set(face, bytes);
  }
  return bytes;
}

/** The parsed font, kept per process, for coverage checks and measuring. */
export function fontMetrics(face: FaceName): Font {
  let font = metricsCache.get(face);
  if (!font) {
    font = fontkit.create(fontBytes(face));
    metricsCache.set(face, font);
  }
  return font;
}

export type Run = { text: string; face: FaceName };

// Spaces, punctuation, marks and joiners stay in the run they are in, so that
// "李华 王" or "(محمد)" are not cut into many small runs.
const STICKY = /[\p{Z}\p{P}\p{M}\p{Cf}\s]/u;

function covers(face: FaceName, codePoint: number): boolean {
  return fontMetrics(face).hasGlyphForCodePoint(codePoint);
}

/** Splits text into runs, each in the first face of the chain that has its characters. */
export function splitRuns(text: string, bold = false): Run[] {
  const chain = FALLBACKS[bold ? "bold" : "regular"];
  const runs: Run[] = [];
  let current: Run | undefined;
  for (const char of text) {
    const codePoint = char.codePointAt(0)!;
    let face: FaceName;
    if (current && STICKY.test(char) && covers(current.face, codePoint)) {
      face = current.face;
    } else {
      face = chain.find((f) => covers(f, codePoint)) ?? chain[0];
    }
    if (current && current.face === face) {
      current.text += char;
    } else {
      current = { text: char, face };
      runs.push(current);
    }
  }
  return runs;
}

/**
 * Width in points as pdf-lib will draw it: the sum of glyph advances after
 * shaping (pdf-lib ignores kerning offsets, so this does too).
 */
export function measureRun(text: string, face: FaceName, size: number): number {
  if (!text) return 0;
  const font = fontMetrics(face);
  // Shaping (fontkit's layout) is slow; where it cannot change advances — no
  // contextual forms, no combining marks — per-character advances are exact.
  if (!RTL_FACES.has(face) && !COMBINING.test(text)) {
    let advances = advanceCache.get(face);
    if (!advances) advanceCache.set(face, (advances = new Map()));
    let units = 0;
    for (const char of text) {
      const codePoint = char.codePointAt(0)!;
      let advance = advances.get(codePoint);
      if (advance === undefined) {
        advance = font.glyphForCodePoint(codePoint).advanceWidth;
        advances.set(codePoint, advance);
      }
      units += advance;
    }
    return (units / font.unitsPerEm) * size;
  }
  const { glyphs } = font.layout(text);
  let units = 0;
  for (const glyph of glyphs) units += glyph.advanceWidth;
  return (units / font.unitsPerEm) * size;
}

const COMBINING = /[\p{M}\u200C\u200D]/u;
const advanceCache = new Map<FaceName, Map<number, number>>();

/** Embeds the named faces once per document, as subsets. */
export class FontBook {
  private readonly embedded = new Map<FaceName, PDFFont>();

  constructor(private readonly doc: PDFDocument) {
    doc.registerFontkit(fontkit);
  }

  async embed(faces: Iterable<FaceName>): Promise<void> {
    for (const face of faces) {
      if (this.embedded.has(face)) continue;
      this.embedded.set(face, await this.doc.embedFont(fontBytes(face), { subset: true }));
    }
  }

  get(face: FaceName): PDFFont {
    const font = this.embedded.get(face);
    if (!font) throw new Error(`Font ${face} was not embedded`);
    return font;
  }
}
