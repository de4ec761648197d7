import {
  Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  Pair,
  parseDocument,
  Scalar,
  YAMLMap,
  YAMLSeq,
  type Node,
} from "yaml";

/**
 * Edits a draft's YAML file the way a person would by hand: the file stays the
 * source of truth, and a form edit rewrites only the top-level entry it touches
 * (a setting of course.yaml, a question of questions.yaml). Everything else,
 * comments and layout included, is left exactly as written; keys the form does
 * not know are kept.
 */

export type YamlPath = readonly (string | number)[];
export type YamlRead = { ok: true; value: unknown } | { ok: false; error: string };
export type WriteOptions = {
  /** `[ a, b ]` rather than `[a, b]` for new flow collections (questions.yaml writes options as `{ id: a, … }`). */
  flowPadding?: boolean;
};

/** How new string values are written, by key: matches how content/ is written by hand. */
const NEW_SCALAR_STYLE: Record<string, Scalar.Type> = {
  prompt: Scalar.QUOTE_DOUBLE,
  text: Scalar.QUOTE_DOUBLE,
  explanation: Scalar.BLOCK_FOLDED,
  summary: Scalar.BLOCK_FOLDED,
};

export function readYaml(text: string): YamlRead {
  const doc = parseDocument(text);
  if (doc.errors.length) return { ok: false, error: doc.errors[0].message.split("\n")[0].replace(/:$/, "") };
  return { ok: true, value: doc.toJS() };
}

type Entry = { key: string | number; start: number; end: number };
type Root = YAMLMap | YAMLSeq;

function lineStart(text: string, pos: number): number {
  return text.lastIndexOf("\n", pos - 1) + 1;
}

function lineEnd(text: string, pos: number): number {
  if (pos > 0 && text[pos - 1] === "\n") return pos;
  const nl = text.indexOf("\n", pos);
  return nl === -1 ? text.length : nl + 1;
}

function parse(text: string): Document.Parsed {
  const doc = parseDocument(text);
  if (doc.errors.length) throw new Error(`The YAML cannot be read: ${doc.errors[0].message.split("\n")[0]}`);
  return doc;
}

function blockRoot(doc: Document): Root | null {
  const root = doc.contents;
  return (isMap(root) || isSeq(root)) && !root.flow ? root : null;
}

/** Where each top-level entry is written, from the first line of its key (or `- `) to the end of its value's last line. */
function entriesOf(root: Root, text: string): Entry[] | null {
  const out: Entry[] = [];
  for (const [i, item] of root.items.entries()) {
    if (isPair(item)) {
      const key = item.key;
      const value = item.value as Node | null;
      if (!isScalar(key) || !key.range) return null;
      out.push({
        key: String(key.value),
        start: lineStart(text, key.range[0]),
        end: lineEnd(text, (value?.range ?? key.range)[2]),
      });
    } else {
      const range = (item as Node | null)?.range;
      if (!range) return null;
      out.push({ key: i, start: lineStart(text, range[0]), end: lineEnd(text, range[2]) });
    }
  }
  return out;
}

function currentEntry(root: Root, key: string | number): Pair | Node | undefined {
  if (isMap(root)) return root.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === key);
  return typeof key === "number" ? (root.items[key] as Node | undefined) : undefined;
}

/** New nodes (no source range) take the hand-written style: short lists and nested maps (options) inline, prompts quoted. */
function styleNew(node: unknown, key: string | null, depth: number): void {
  if (isScalar(node)) {
    if (!node.range && typeof node.value === "string" && node.value && key && NEW_SCALAR_STYLE[key])
      node.type = NEW_SCALAR_STYLE[key];
    return;
  }
  if (isSeq(node)) {
    if (!node.range && node.items.length > 0 && node.items.every((i) => isScalar(i) && !/\s/.test(String(i.value))))
      node.flow = true;
    node.items.forEach((item) => styleNew(item, null, depth + 1));
  } else if (isMap(node)) {
    if (!node.range && depth >= 2 && node.items.length > 0 && node.items.every((p) => isScalar(p.value)))
      node.flow = true;
    for (const pair of node.items)
      styleNew(pair.value, String(isScalar(pair.key) ? pair.key.value : pair.key), depth + 1);
  }
}

function toText(doc: Document, options: WriteOptions): string {
  return doc.toString({ lineWidth: 0, flowCollectionPadding: options.flowPadding ?? false });
}

/** One top-level entry on its own, as it is written in the file. */
function entryText(root: Root, entry: Pair | Node, options: WriteOptions): string {
  // The blank lines and comments before an entry stay where they are in the file: they are not written again.
  const lead = (isPair(entry) ? entry.key : entry) as Node;
  if (lead && typeof lead === "object") {
    lead.commentBefore = undefined;
    lead.spaceBefore = false;
  }
  const holder = isMap(root) ? new YAMLMap() : new YAMLSeq();
  holder.items.push(entry as never);
  const single = new Document();
  single.contents = holder;
  return toText(single, options);
}

function append(text: string, addition: string, blankLine: boolean): string {
  const base = text.length === 0 || text.endsWith("\n") ? text : `${text}\n`;
  return base + (blankLine && base.length > 0 ? "\n" : "") + addition;
}

/** Whether top-level entries are separated by blank lines (questions.yaml usually is). */
function spacedOut(text: string, entries: Entry[]): boolean {
  return entries.length > 1 && /\n\s*\n/.test(text.slice(entries[0].end - 1, entries[1].start));
}

type Span = { start: number; end: number; render: () => string };

const isScalarValue = (v: unknown) => v === null || ["string", "number", "boolean"].includes(typeof v);

/** A scalar written again in place: same quoting or block style, same indentation. */
function scalarText(node: Scalar, text: string, inFlow: boolean, options: WriteOptions): string {
  const [start, end] = node.range!;
  const scalar = new Scalar(node.value);
  const block = node.type === Scalar.BLOCK_FOLDED || node.type === Scalar.BLOCK_LITERAL;
  // A block scalar cannot stand inside [ ] or { }, and an empty one reads better as "".
  if (!block || (!inFlow && node.value !== "")) scalar.type = node.type;
  const holder = inFlow ? new YAMLSeq() : new YAMLMap();
  if (isSeq(holder)) {
    holder.flow = true;
    holder.items.push(scalar);
  } else holder.items.push(new Pair(new Scalar("k"), scalar) as never);
  const doc = new Document();
  doc.contents = holder;
  const written = toText(doc, { ...options, flowPadding: false });
  if (inFlow) return written.trimEnd().slice(1, -1);
  const value = written.slice("k: ".length).replace(/\n$/, "");
  // A block scalar's range ends with its line break; a value written on one line keeps it.
  const newline = text.slice(start, end).endsWith("\n") ? "\n" : "";
  if (!value.includes("\n")) return value + newline;
  // A block scalar: its lines take the indentation they have in the file (or one step in from their key).
  const original = text.slice(start, end).split("\n")[1];
  const lineOf = text.slice(lineStart(text, start), start);
  const indent =
    original && original.trim() ? original.match(/^ */)![0] : " ".repeat(lineOf.match(/^[ -]*/)![0].length + 2);
  const lines = value.split("\n").map((line, i) => (i === 0 || line === "" ? line : indent + line.slice(2)));
  return lines.join("\n") + newline;
}

/**
 * Sets (or, with `undefined`, removes) values at paths. A changed value is
 * written again where it stands; a change of shape (a key added or removed, a
 * list replaced) rewrites the smallest inline collection around it, or else
 * the top-level entry it lies under. A key not in the file yet is added at the end.
 */
export function editYaml(
  text: string,
  edits: readonly (readonly [YamlPath, unknown])[],
  options: WriteOptions = {},
): string {
  const doc = parse(text);
  const original = blockRoot(doc);
  const entries = original ? entriesOf(original, text) : null;
  const spans: Span[] = [];
  const appended: (string | number)[] = [];
  for (const [path, value] of edits) {
    if (path.length === 0) throw new Error("An edit needs a path.");
    if (isSeq(original) && path.length === 1 && value === undefined)
      throw new Error("Remove list items with removeEntry.");
    const target = doc.getIn(path, true);
    const chain = path.map((_, i) => (i === 0 ? doc.contents : doc.getIn(path.slice(0, i), true)));
    const flowAt = chain.findIndex((c) => (isMap(c) || isSeq(c)) && c.flow && c.range);
    if (isScalar(target) && target.range && isScalarValue(value) && value !== null) {
      doc.setIn(path, value);
      spans.push({
        start: target.range[0],
        end: target.range[1],
        render: () => scalarText(target, text, flowAt !== -1, options),
      });
      continue;
    }
    if (value === undefined) doc.deleteIn(path);
    else doc.setIn(path, isScalarValue(value) && isScalar(target) ? value : doc.createNode(value));
    if (flowAt > 0) {
      const flow = chain[flowAt] as YAMLMap | YAMLSeq;
      spans.push({
        start: flow.range![0],
        end: flow.range![1],
        render: () => toText(flowDocument(flow), options).trimEnd(),
      });
      continue;
    }
    const key = isSeq(original) ? Number(path[0]) : String(path[0]);
    const entry = entries?.find((e) => e.key === key);
    if (entry) spans.push({ start: entry.start, end: entry.end, render: () => entryOrNothing(doc, key, options) });
    else if (!appended.includes(key)) appended.push(key);
  }
  styleNew(doc.contents, null, 0);
  const root = blockRoot(doc);
  if (!root || !entries || root !== original) return toText(doc, options);

  // Outer spans first; a span inside one already taken is written by it.
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Span[] = [];
  for (const span of spans) if (!kept.some((k) => span.start >= k.start && span.end <= k.end)) kept.push(span);
  let out = text;
  for (const span of kept.reverse()) out = out.slice(0, span.start) + span.render() + out.slice(span.end);
  for (const key of appended) {
    const node = currentEntry(root, key);
    if (node) out = append(out, entryText(root, node, options), spacedOut(text, entries));
  }
  return out;
}

function flowDocument(node: YAMLMap | YAMLSeq): Document {
  const doc = new Document();
  doc.contents = node;
  return doc;
}

function entryOrNothing(doc: Document, key: string | number, options: WriteOptions): string {
  const root = blockRoot(doc)!;
  const node = currentEntry(root, key);
  return node ? entryText(root, node, options) : "";
}

export function setIn(text: string, path: YamlPath, value: unknown, options: WriteOptions = {}): string {
  return editYaml(text, [[path, value]], options);
}

/** Adds an item to the end of a top-level list. */
export function appendEntry(text: string, value: unknown, options: WriteOptions = {}): string {
  const doc = parse(text);
  const root = blockRoot(doc);
  if (!isSeq(root)) {
    // An empty file (or an inline list) is written afresh as a list.
    const list = new YAMLSeq();
    if (isSeq(doc.contents)) list.items.push(...doc.contents.items);
    list.items.push(doc.createNode(value));
    const fresh = new Document();
    fresh.contents = list;
    styleNew(list, null, 0);
    return toText(fresh, options);
  }
  const entries = entriesOf(root, text);
  const node = doc.createNode(value);
  styleNew(node, null, 1);
  return append(text, entryText(root, node, options), entries ? spacedOut(text, entries) : false);
}

/** Removes a top-level entry (a list item or a key) with the blank lines and comments just before it. */
export function removeEntry(text: string, key: string | number): string {
  const doc = parse(text);
  const root = blockRoot(doc);
  const entries = root ? entriesOf(root, text) : null;
  const i = entries?.findIndex((e) => e.key === key) ?? -1;
  if (!root || !entries) {
    doc.deleteIn([key]);
    return toText(doc, {});
  }
  if (i === -1) return text;
  const from = i > 0 ? entries[i - 1].end : entries[i].start;
  const to = i > 0 ? entries[i].end : (entries[i + 1]?.start ?? entries[i].end);
  return text.slice(0, from) + text.slice(to);
}

/** Swaps two items of a top-level list; the blank lines and comments between items stay in place. */
export function swapEntries(text: string, a: number, b: number): string {
  const doc = parse(text);
  const root = blockRoot(doc);
  const entries = root && isSeq(root) ? entriesOf(root, text) : null;
  if (!entries) throw new Error("Only the items of a list can be moved.");
  const [first, second] = [entries[Math.min(a, b)], entries[Math.max(a, b)]];
  if (!first || !second || first === second) return text;
  const body = (e: Entry) => text.slice(e.start, e.end).replace(/\n?$/, "\n");
  const tail = text.slice(second.end);
  return text.slice(0, first.start) + body(second) + text.slice(first.end, second.start) + body(first) + tail;
}
