import "server-only";

import { Lexer, type Token, type Tokens } from "marked";

import { LINE_BREAK, spans, textWidth, type Span } from "./text-wrap";

/**
 * An agreement's Markdown as the blocks the PDF draws: headings, paragraphs
 * (list items are paragraphs with a hanging marker) and rules, each with its
 * styled text. A paragraph in a list says which item of which list it is in,
 * so that the tagged PDF can rebuild the lists.
 */

/** Body text, and the least a list item's text is indented by. */
export const BODY = { size: 10.5, lineHeight: 15.5 };
export const LIST_INDENT = 18;

/** The text of styled spans, without the styling. */
export function plain(s: Span[]): string {
  return s.map((x) => x.text).join("");
}

/** A paragraph's place in one (possibly nested) list: the list, and the item's index in it. */
export type ListPlace = { list: { ordered: boolean }; item: number };

export type Block =
  | { kind: "heading"; depth: number; spans: Span[] }
  // indent: where the text starts; a list item's marker hangs `hang` points to its left.
  | {
      kind: "paragraph";
      spans: Span[];
      indent: number;
      marker?: string;
      hang?: number;
      muted?: boolean;
      tight?: boolean;
      listStart?: boolean;
      // Enclosing lists, outermost first; absent outside lists.
      within?: ListPlace[];
    }
  | { kind: "rule" };

function inlineSpans(tokens: Token[] | undefined, bold = false): Span[] {
  const out: Span[] = [];
  for (const token of tokens ?? []) {
    switch (token.type) {
      case "strong":
        out.push(...inlineSpans((token as Tokens.Strong).tokens, true));
        break;
      case "em":
      case "del":
        out.push(...inlineSpans((token as Tokens.Em).tokens, bold));
        break;
      case "link": {
        const link = token as Tokens.Link;
        const label = inlineSpans(link.tokens, bold);
        out.push(...label);
        const href = link.href.replace(/^mailto:/, "");
        if (href && href !== plain(label)) out.push({ text: ` (${href})`, bold });
        break;
      }
      case "br":
        out.push({ text: LINE_BREAK, bold });
        break;
      case "checkbox":
        break;
      case "image":
        out.push({ text: (token as Tokens.Image).text, bold });
        break;
      case "text":
        if ("tokens" in token && token.tokens?.length) out.push(...inlineSpans(token.tokens, bold));
        else out.push({ text: (token as Tokens.Text).text, bold });
        break;
      default:
        // codespan, escape, html, …: their text as written.
        out.push({ text: "text" in token && typeof token.text === "string" ? token.text : token.raw, bold });
    }
  }
  return out;
}

function listBlocks(list: Tokens.List, indent: number, within: ListPlace[]): Block[] {
  const out: Block[] = [];
  const identity = { ordered: list.ordered };
  const start = typeof list.start === "number" ? list.start : 1;
  const markers = list.items.map((item, i) =>
    item.task ? (item.checked ? "[x]" : "[ ]") : list.ordered ? `${start + i}.` : "•",
  );
  // One hanging indent per list, wide enough for its widest marker ("10."), so item texts align.
  const hang = Math.max(LIST_INDENT, ...markers.map((m) => textWidth(spans(m), BODY.size) + 7));
  list.items.forEach((item, i) => {
    const marker = markers[i];
    const place = [...within, { list: identity, item: i }];
    const children = tokensToBlocks(item.tokens, indent + hang, false, place);
    const first = children[0];
    if (first?.kind === "paragraph") Object.assign(first, { marker, hang });
    else children.unshift({ kind: "paragraph", spans: [], indent: indent + hang, marker, hang, within: place });
    for (const child of children) if (child.kind === "paragraph" && !list.loose) child.tight = true;
    if (i === 0 && children[0].kind === "paragraph") children[0].listStart = true;
    out.push(...children);
  });
  return out;
}

function tokensToBlocks(tokens: Token[], indent = 0, muted = false, within?: ListPlace[]): Block[] {
  const out: Block[] = [];
  for (const token of tokens) {
    switch (token.type) {
      case "space":
      case "checkbox": // a task item's box: drawn as its list marker
        break;
      case "heading": {
        const heading = token as Tokens.Heading;
        out.push({ kind: "heading", depth: Math.min(heading.depth, 3), spans: inlineSpans(heading.tokens) });
        break;
      }
      case "paragraph":
      case "text":
        out.push({
          kind: "paragraph",
          spans: inlineSpans(
            "tokens" in token && token.tokens
              ? token.tokens
              : [{ type: "text", raw: token.raw, text: (token as Tokens.Text).text }],
          ),
          indent,
          muted,
          within,
        });
        break;
      case "list":
        out.push(...listBlocks(token as Tokens.List, indent, within ?? []));
        break;
      case "blockquote":
        out.push(...tokensToBlocks((token as Tokens.Blockquote).tokens, indent + LIST_INDENT, true, within));
        break;
      case "code":
        out.push({
          kind: "paragraph",
          spans: [{ text: (token as Tokens.Code).text.split("\n").join(LINE_BREAK) }],
          indent,
          muted,
          within,
        });
        break;
      case "hr":
        out.push({ kind: "rule" });
        break;
      case "table": {
        const table = token as Tokens.Table;
        out.push({
          kind: "paragraph",
          spans: table.header.flatMap((cell, i) => [
            ...(i ? [{ text: "  |  ", bold: true }] : []),
            ...inlineSpans(cell.tokens, true),
          ]),
          indent,
          within,
        });
        for (const row of table.rows) {
          out.push({
            kind: "paragraph",
            spans: row.flatMap((cell, i) => [...(i ? [{ text: "  |  " }] : []), ...inlineSpans(cell.tokens)]),
            indent,
            tight: true,
            within,
          });
        }
        break;
      }
      default:
        if (token.raw.trim())
          out.push({ kind: "paragraph", spans: [{ text: token.raw.trim() }], indent, muted, within });
    }
  }
  return out;
}

export function markdownBlocks(markdown: string): Block[] {
  return tokensToBlocks(Lexer.lex(markdown.replace(/\r\n?/g, "\n"), { gfm: true }));
}
