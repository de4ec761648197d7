import { invalidPath, ScimError } from "./errors";

/**
 * SCIM filters and attribute paths (RFC 7644 §3.4.2.2, §3.5.2), as far as
 * identity providers use them: `attr eq value`, joined by `and`, where attr
 * may carry a value filter (`emails[type eq "work"].value`,
 * `members[value eq "…"]`). Attribute names are case-insensitive and are
 * returned lower-cased, with the core schema's URN prefix dropped.
 */

export const CORE_USER_URN = "urn:ietf:params:scim:schemas:core:2.0:user";
export const CORE_GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:group";
export const ENTERPRISE_URN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user";

export type Scalar = string | number | boolean | null;
export type ValueFilter = { attr: string; value: Scalar };
/** `emails[type eq "work"].value` is { attr: "emails", filter: { attr: "type", value: "work" }, sub: "value" }. */
export type AttrPath = { attr: string; filter?: ValueFilter; sub?: string };
export type Comparison = { path: AttrPath; value: Scalar };

const invalidFilter = (detail: string) => new ScimError(400, detail, "invalidFilter");
const MAX_FILTER_LENGTH = 1000;

type Token =
  { kind: "word"; text: string } | { kind: "value"; value: Scalar } | { kind: "open" | "close" | "lparen" | "rparen" };

const BRACKETS: Record<string, "open" | "close" | "lparen" | "rparen"> = {
  "[": "open",
  "]": "close",
  "(": "lparen",
  ")": "rparen",
};

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (/\s/.test(c)) i++;
    else if (c in BRACKETS) {
      tokens.push({ kind: BRACKETS[c] });
      i++;
    } else if (c === '"') {
      // A JSON string: find its closing quote, honouring escapes.
      let j = i + 1;
      while (j < input.length && input[j] !== '"') j += input[j] === "\\" ? 2 : 1;
      if (j >= input.length) throw invalidFilter("A quoted value is not closed.");
      try {
        tokens.push({ kind: "value", value: JSON.parse(input.slice(i, j + 1)) as string });
      } catch {
        throw invalidFilter("A quoted value is not a valid string.");
      }
      i = j + 1;
    } else {
      const match = /^[^\s[\]()"]+/.exec(input.slice(i))!;
      const text = match[0];
      // "]." continues a path: `emails[type eq "work"].value`
      if (text.startsWith(".") && tokens.at(-1)?.kind === "close") tokens.push({ kind: "word", text });
      else if (/^(true|false|null)$/i.test(text))
        tokens.push({ kind: "value", value: text.toLowerCase() === "null" ? null : text.toLowerCase() === "true" });
      else if (/^-?\d+(\.\d+)?$/.test(text)) tokens.push({ kind: "value", value: Number(text) });
      else tokens.push({ kind: "word", text });
      i += text.length;
    }
  }
  return tokens;
}

/** A bare attribute name, lower-cased, without the core schema's URN. */
export function attributeName(raw: string): string {
  const lower = raw.toLowerCase();
  for (const urn of [CORE_USER_URN, CORE_GROUP_URN])
    if (lower.startsWith(`${urn}:`)) return lower.slice(urn.length + 1);
  return lower;
}

const NAME = /^(urn:[a-z0-9:._-]+:)?[a-z][a-z0-9_$-]*(\.[a-z][a-z0-9_$-]*)?$/i;

function checkedName(raw: string, error: (detail: string) => ScimError): string {
  if (!NAME.test(raw)) throw error(`"${raw.slice(0, 100)}" is not an attribute name.`);
  return attributeName(raw);
}

/** `name.givenName` → { attr: "name", sub: "givenname" }; an extension's URN stays on its attribute. */
function splitName(lower: string): AttrPath {
  const colon = lower.startsWith("urn:") ? lower.lastIndexOf(":") : -1;
  const [attr, sub] = lower.slice(colon + 1).split(".");
  return { attr: `${lower.slice(0, colon + 1)}${attr}`, sub };
}

const isJoiner = (token: Token | undefined) =>
  token === undefined || token.kind === "close" || (token.kind === "word" && /^(and|or)$/i.test(token.text));

/** Reads one comparison starting at tokens[at]; returns it and where it ended. */
function comparison(tokens: Token[], at: number): { comparison: Comparison; next: number } {
  const name = tokens[at];
  if (name?.kind !== "word") throw invalidFilter("Expected an attribute name.");
  let path = splitName(checkedName(name.text, invalidFilter));
  let i = at + 1;
  if (tokens[i]?.kind === "open") {
    if (path.sub) throw invalidFilter("A value filter follows a plain attribute name.");
    const inner = comparison(tokens, i + 1);
    if (inner.comparison.path.filter || tokens[inner.next]?.kind !== "close")
      throw invalidFilter("A value filter is not closed.");
    const { attr: innerAttr, sub: innerSub } = inner.comparison.path;
    i = inner.next + 1;
    const after = tokens[i];
    // `members[value eq "x"]` on its own is the comparison members.value eq "x".
    if (isJoiner(after))
      return { comparison: { path: { attr: path.attr, sub: innerAttr }, value: inner.comparison.value }, next: i };
    if (after.kind !== "word" || !after.text.startsWith("."))
      throw invalidFilter("Unexpected text after a value filter.");
    path = {
      attr: path.attr,
      filter: { attr: innerSub ? `${innerAttr}.${innerSub}` : innerAttr, value: inner.comparison.value },
      sub: checkedName(after.text.slice(1), invalidFilter),
    };
    i++;
  }
  const op = tokens[i];
  if (op?.kind !== "word") throw invalidFilter("Expected an operator.");
  if (op.text.toLowerCase() !== "eq")
    throw invalidFilter(`The operator "${op.text.slice(0, 20)}" is not supported; use eq.`);
  const value = tokens[i + 1];
  if (value?.kind !== "value") throw invalidFilter("Expected a value after eq.");
  return { comparison: { path, value: value.value }, next: i + 2 };
}

/** Parses `a eq "x" and b eq "y"` into its comparisons (all must hold). */
export function parseFilter(input: string): Comparison[] {
  if (input.length > MAX_FILTER_LENGTH) throw invalidFilter(`A filter may be at most ${MAX_FILTER_LENGTH} characters.`);
  const tokens = tokenize(input);
  if (tokens.length === 0) throw invalidFilter("The filter is empty.");
  const comparisons: Comparison[] = [];
  let i = 0;
  for (;;) {
    const parsed = comparison(tokens, i);
    comparisons.push(parsed.comparison);
    i = parsed.next;
    if (i === tokens.length) return comparisons;
    const joiner = tokens[i];
    if (joiner.kind !== "word" || joiner.text.toLowerCase() !== "and")
      throw invalidFilter('Only comparisons joined by "and" are supported.');
    i++;
  }
}

/** Parses a PATCH operation's path: `title`, `name.givenName`, `emails[type eq "work"].value`, an extension URN with its attribute. */
export function parsePath(input: string): AttrPath {
  if (input.length > 500) throw invalidPath("The path is too long.");
  const bracket = input.indexOf("[");
  if (bracket === -1) {
    const lower = attributeName(input.trim());
    if (!NAME.test(lower)) throw invalidPath(`"${input.slice(0, 100)}" is not an attribute path.`);
    return splitName(lower);
  }
  let parsed: { comparison: Comparison; next: number };
  const tokens = (() => {
    try {
      return tokenize(input);
    } catch (error) {
      throw invalidPath(error instanceof Error ? error.message : "The path is not valid.");
    }
  })();
  try {
    if (tokens[0]?.kind !== "word" || tokens[1]?.kind !== "open") throw invalidPath("The path is not valid.");
    parsed = comparison(tokens, 2);
  } catch (error) {
    throw error instanceof ScimError ? invalidPath(error.detail) : error;
  }
  if (tokens[parsed.next]?.kind !== "close" || parsed.comparison.path.filter)
    throw invalidPath("The path's value filter is not closed.");
  const after = tokens.slice(parsed.next + 1);
  if (after.length > 1 || (after[0] && !(after[0].kind === "word" && after[0].text.startsWith("."))))
    throw invalidPath("Unexpected text after the path's value filter.");
  const sub = after[0]?.kind === "word" ? checkedName(after[0].text.slice(1), invalidPath) : undefined;
  const p = parsed.comparison.path;
  return {
    attr: checkedName((tokens[0] as { text: string }).text, invalidPath),
    filter: { attr: p.sub ? `${p.attr}.${p.sub}` : p.attr, value: parsed.comparison.value },
    sub,
  };
}
