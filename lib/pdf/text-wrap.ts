import "server-only";

import { measureRun, RTL_FACES, splitRuns, type FaceName } from "./fonts";

/**
 * Line breaking for the PDFs: styled spans are split into font runs and
 * unbreakable words, then wrapped into lines no wider than a measure, with
 * right-to-left runs reordered and words wider than a line cut to fit.
 */

export type Span = { text: string; bold?: boolean };

export type Piece = { text: string; face: FaceName; x: number; width: number };
// breakSpace: the line was broken at a space, in this face. It is drawn (invisibly,
// past the line's end) so that text read from the PDF keeps the words apart.
export type Line = { pieces: Piece[]; width: number; breakSpace?: FaceName };

type Atom = {
  runs: { text: string; face: FaceName; width: number }[];
  width: number;
  space: number;
  spaceFace: FaceName;
  rtl: boolean;
};

// Break opportunities: after spaces, and around each Han, kana or CJK punctuation character.
const CJK_BREAK = /[\u2E80-\u2FFF\u3000-\u30FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\uFF00-\uFFEF]/u;

/** One line of plain text, as a single span. */
export function spans(text: string, bold = false): Span[] {
  return [{ text, bold }];
}

function measureAtomRuns(text: string, bold: boolean, size: number) {
  return splitRuns(text, bold).map((r) => ({ ...r, width: measureRun(r.text, r.face, size) }));
}

/** Splits spans into unbreakable pieces ("words"), each with the space that follows it. */
function toAtoms(input: Span[], size: number): Atom[] {
  const atoms: Atom[] = [];
  let pending: { text: string; bold: boolean }[] = [];

  const flush = (spaceAfter: string, spaceBold: boolean) => {
    const runs = pending.flatMap((p) => measureAtomRuns(p.text, p.bold, size));
    pending = [];
    if (runs.length === 0) {
      // A space after a word that already ended (after a CJK character) belongs to that word;
      // a leading space is dropped.
      const previous = atoms[atoms.length - 1];
      if (spaceAfter && previous && previous.space === 0) {
        previous.spaceFace = spaceBold ? "sansBold" : "sans";
        previous.space = measureRun(" ", previous.spaceFace, size);
      }
      return;
    }
    const spaceFace: FaceName = spaceBold ? "sansBold" : "sans";
    atoms.push({
      runs,
      width: runs.reduce((sum, r) => sum + r.width, 0),
      space: spaceAfter ? measureRun(" ", spaceFace, size) : 0,
      spaceFace,
      rtl: runs.every((r) => RTL_FACES.has(r.face)),
    });
  };

  const push = (text: string, bold: boolean) => {
    const last = pending[pending.length - 1];
    if (last && last.bold === bold) last.text += text;
    else pending.push({ text, bold });
  };

  for (const span of input) {
    const bold = Boolean(span.bold);
    // Soft line breaks and tabs are ordinary spaces in a wrapped paragraph.
    const text = span.text.replace(/[\t\n\r]+/g, " ").replace(/[\u0000-\u001f\u007f]/g, "");
    for (const char of text) {
      if (char === " ") {
        flush(" ", bold);
      } else if (CJK_BREAK.test(char)) {
        if (pending.length) flush("", bold);
        push(char, bold);
        flush("", bold);
      } else {
        push(char, bold);
      }
    }
  }
  flush("", false);
  return atoms;
}

/** Cuts a word wider than the line into pieces that fit (hashes, URLs, user agents). */
function splitWideAtom(atom: Atom, maxWidth: number, size: number): Atom[] {
  const out: Atom[] = [];
  let chars: { char: string; face: FaceName }[] = [];
  let width = 0;
  const emit = (last: boolean) => {
    const runs: Atom["runs"] = [];
    for (const c of chars) {
      const run = runs[runs.length - 1];
      if (run && run.face === c.face) run.text += c.char;
      else runs.push({ text: c.char, face: c.face, width: 0 });
    }
    for (const run of runs) run.width = measureRun(run.text, run.face, size);
    out.push({
      runs,
      width: runs.reduce((s, r) => s + r.width, 0),
      space: last ? atom.space : 0,
      spaceFace: atom.spaceFace,
      rtl: atom.rtl,
    });
    chars = [];
    width = 0;
  };
  for (const run of atom.runs) {
    for (const char of run.text) {
      const w = measureRun(char, run.face, size);
      if (chars.length && width + w > maxWidth) emit(false);
      chars.push({ char, face: run.face });
      width += w;
    }
  }
  if (chars.length) emit(true);
  return out;
}

/** Places a line's words left to right, reversing runs of right-to-left words. */
function placeLine(atoms: Atom[], size: number): Line {
  const pieces: Piece[] = [];
  let x = 0;
  const add = (text: string, face: FaceName, width: number) => {
    const last = pieces[pieces.length - 1];
    if (last && last.face === face && Math.abs(last.x + last.width - x) < 0.001 && !RTL_FACES.has(face)) {
      last.text += text;
      last.width += width;
    } else {
      pieces.push({ text, face, x, width });
    }
    x += width;
  };
  for (let i = 0; i < atoms.length;) {
    if (!atoms[i].rtl) {
      const atom = atoms[i];
      atom.runs.forEach((run, k) => {
        const isLast = k === atom.runs.length - 1;
        if (isLast && atom.space && i < atoms.length - 1 && atom.spaceFace === run.face) {
          add(run.text + " ", run.face, run.width + atom.space);
        } else {
          add(run.text, run.face, run.width);
          if (isLast && atom.space && i < atoms.length - 1) add(" ", atom.spaceFace, atom.space);
        }
      });
      i += 1;
      continue;
    }
    // A group of right-to-left words: each face change is one piece, and the
    // pieces go from right to left. fontkit reverses the glyphs inside a piece.
    let j = i;
    while (j < atoms.length && atoms[j].rtl) j++;
    const group = atoms.slice(i, j);
    const logical: { text: string; face: FaceName; width: number }[] = [];
    group.forEach((atom, k) => {
      atom.runs.forEach((run, r) => {
        const withSpace = r === atom.runs.length - 1 && k < group.length - 1 && atom.space > 0;
        const text = run.text + (withSpace ? " " : "");
        const width = run.width + (withSpace ? atom.space : 0);
        const prev = logical[logical.length - 1];
        if (prev && prev.face === run.face) {
          prev.text += text;
          prev.width += width;
        } else {
          logical.push({ text, face: run.face, width });
        }
      });
    });
    // Measure each piece whole: its spaces are drawn in its own face.
    for (const piece of logical) piece.width = measureRun(piece.text, piece.face, size);
    const groupWidth = logical.reduce((s, p) => s + p.width, 0);
    let right = x + groupWidth;
    for (const piece of logical) {
      right -= piece.width;
      pieces.push({ text: piece.text, face: piece.face, x: right, width: piece.width });
    }
    x += groupWidth;
    const last = group[group.length - 1];
    if (last.space && j < atoms.length) add(" ", last.spaceFace, last.space);
    i = j;
  }
  return { pieces, width: x };
}

/** Forced line break inside a span (Markdown hard break, a line of a code block). */
export const LINE_BREAK = "\u2028";

/** Wraps styled text to lines no wider than maxWidth. */
export function wrap(input: Span[], size: number, maxWidth: number): Line[] {
  if (input.some((s) => s.text.includes(LINE_BREAK))) {
    const segments: Span[][] = [[]];
    for (const span of input) {
      span.text.split(LINE_BREAK).forEach((part, i) => {
        if (i > 0) segments.push([]);
        if (part) segments[segments.length - 1].push({ text: part, bold: span.bold });
      });
    }
    return segments.flatMap((segment) => {
      const lines = wrapSegment(segment, size, maxWidth);
      return lines.length ? lines : [{ pieces: [], width: 0 }];
    });
  }
  return wrapSegment(input, size, maxWidth);
}

function wrapSegment(input: Span[], size: number, maxWidth: number): Line[] {
  const atoms = toAtoms(input, size).flatMap((a) => (a.width > maxWidth ? splitWideAtom(a, maxWidth, size) : [a]));
  const lines: Line[] = [];
  let current: Atom[] = [];
  let width = 0;
  for (const atom of atoms) {
    const before = current.length ? current[current.length - 1].space : 0;
    if (current.length && width + before + atom.width > maxWidth) {
      const last = current[current.length - 1];
      lines.push({ ...placeLine(current, size), ...(last.space ? { breakSpace: last.spaceFace } : {}) });
      current = [];
      width = 0;
    }
    width += (current.length ? current[current.length - 1].space : 0) + atom.width;
    current.push(atom);
  }
  if (current.length) lines.push(placeLine(current, size));
  return lines;
}

/** Width of a single line of text (no wrapping). */
export function textWidth(input: Span[], size: number): number {
  return wrap(input, size, Number.POSITIVE_INFINITY).reduce((w, l) => Math.max(w, l.width), 0);
}

// ---------------------------------------------------------------- pages
