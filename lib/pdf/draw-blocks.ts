import "server-only";

import { COLORS, leadingLines, type Flow } from "./layout";
import { LIST_INDENT, type Block, type ListPlace } from "./markdown-blocks";
import { headingRole, type StructElement } from "./structure";
import { spans, wrap, type Line } from "./text-wrap";

/**
 * Markdown blocks placed on pages and tagged: headings as H2…H4 (H1 is the
 * document's title), paragraphs as P, lists as L > LI > Lbl + LBody. Headings
 * stay with what follows them; paragraphs break with widow and orphan control
 * (Flow.lines).
 */

export type BlockStyle = {
  size: number;
  lineHeight: number;
  /** Heading level of a Markdown `#` heading. */
  topHeadingLevel: number;
};

const HEADING: Record<number, { size: number; before: number; after: number }> = {
  1: { size: 15, before: 14, after: 6 },
  2: { size: 12.5, before: 12, after: 5 },
  3: { size: 11, before: 9, after: 4 },
};
const PARAGRAPH_GAP = 7;

type Prepared = {
  lines: Line[];
  size: number;
  lineHeight: number;
  indent: number;
  textIndent: number;
  before: number;
};

function prepare(block: Block, width: number, previous: Block | undefined, style: BlockStyle): Prepared | undefined {
  if (block.kind === "rule") return undefined;
  if (block.kind === "heading") {
    const heading = HEADING[block.depth];
    const lines = wrap(
      block.spans.map((s) => ({ ...s, bold: true })),
      heading.size,
      width,
    );
    return {
      lines,
      size: heading.size,
      lineHeight: heading.size * 1.3,
      indent: 0,
      textIndent: 0,
      before: previous ? heading.before : 0,
    };
  }
  const indent = block.indent - (block.marker ? (block.hang ?? LIST_INDENT) : 0);
  const textIndent = block.indent;
  const lines = block.spans.length ? wrap(block.spans, style.size, width - textIndent) : [];
  const gap = !previous
    ? 0
    : previous.kind === "heading"
      ? HEADING[previous.depth].after
      : block.listStart
        ? 5
        : block.tight
          ? 3
          : PARAGRAPH_GAP;
  return { lines, size: style.size, lineHeight: style.lineHeight, indent, textIndent, before: gap };
}

/** Room a block needs at the foot of a page to start there: a heading, with the start of what follows. */
function startHeight(blocks: Block[], i: number, width: number, style: BlockStyle): number {
  const item = prepare(blocks[i], width, blocks[i - 1], style);
  if (!item) return 0;
  if (blocks[i].kind !== "heading") return Math.max(1, leadingLines(item.lines.length)) * item.lineHeight;
  const next = blocks[i + 1];
  const following = next && next.kind !== "rule" ? prepare(next, width, blocks[i], style)!.before : 0;
  return item.lines.length * item.lineHeight + following + (next ? startHeight(blocks, i + 1, width, style) : 0);
}

type OpenItem = { place: ListPlace; list: StructElement; label: StructElement; body: StructElement };

/**
 * The list item a paragraph belongs in, opening and closing lists and items
 * so that `open` matches the paragraph's place in nested lists.
 */
function listItemFor(parent: StructElement, open: OpenItem[], within: ListPlace[]): OpenItem | undefined {
  let depth = 0;
  while (
    depth < open.length &&
    depth < within.length &&
    open[depth].place.list === within[depth].list &&
    open[depth].place.item === within[depth].item
  )
    depth++;
  const sameList = open[depth] && within[depth] && open[depth].place.list === within[depth].list;
  const reuse = sameList ? open[depth].list : undefined;
  open.length = depth;
  for (const place of within.slice(depth)) {
    const container = open.length ? open[open.length - 1].body : parent;
    const list = open.length === depth && reuse ? reuse : container.add("L");
    const item = list.add("LI");
    open.push({ place, list, label: item.add("Lbl"), body: item.add("LBody") });
  }
  return open[open.length - 1];
}

/** Places `blocks` on pages, tagging them as children of `parent`. */
export function drawBlocks(flow: Flow, blocks: Block[], parent: StructElement, style: BlockStyle): void {
  let previous: Block | undefined;
  const open: OpenItem[] = [];
  blocks.forEach((block, i) => {
    if (block.kind === "rule") {
      flow.space(8);
      flow.ensure(10);
      flow.rule();
      flow.space(8);
      previous = undefined;
      return;
    }
    const item = prepare(block, flow.width, previous, style)!;
    flow.space(item.before);
    flow.ensure(startHeight(blocks, i, flow.width, style));
    if (block.kind === "heading") {
      open.length = 0;
      const tag = parent.add(headingRole(style.topHeadingLevel + block.depth - 1));
      flow.lines(item.lines, { size: item.size, lineHeight: item.lineHeight, color: COLORS.accent, tag });
    } else {
      const listItem = listItemFor(parent, open, block.within ?? []);
      const container = listItem?.body ?? parent;
      const marker =
        block.marker && listItem
          ? {
              line: wrap(spans(block.marker), style.size, Number.POSITIVE_INFINITY)[0],
              indent: item.indent,
              tag: listItem.label,
            }
          : undefined;
      // An item with no text of its own still shows its marker.
      const lines = item.lines.length ? item.lines : marker ? [{ pieces: [], width: 0 }] : [];
      flow.lines(lines, {
        size: item.size,
        lineHeight: item.lineHeight,
        indent: item.textIndent,
        color: block.muted ? COLORS.muted : COLORS.text,
        marker,
        tag: item.lines.length ? container.add("P") : undefined,
      });
    }
    previous = block;
  });
}

/** Room the first of `blocks` needs to start at the foot of a page (to keep a heading with it). */
export function blocksStartHeight(blocks: Block[], width: number, style: BlockStyle): number {
  return startHeight(blocks, 0, width, style);
}
