/**
 * A value placed into Markdown (a person's, partner's or organisation's name)
 * must stay text: every ASCII punctuation mark is backslash-escaped, so
 * "[Verify](https://evil.example)", "<img …>", "**bold**" and backticks render
 * as written, in HTML and in the PDF alike. Line breaks and other controls
 * become spaces, so a value cannot start a heading, list or new paragraph.
 */
export function escapeMarkdownText(value: string): string {
  return value
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ")
    .replace(/[!-/:-@[-`{-~]/g, (c) => `\\${c}`);
}

const ESCAPED_PUNCTUATION = /\\([!-/:-@[-`{-~])/g;
// Private-use stand-ins keep escaped marks out of reach of the plain-text regexes until they are put back.
const STAND_IN_BASE = 0xe000;

/** Hides escaped punctuation from a plain-text conversion; `restore` turns it back into the bare mark. */
export function shieldEscapes(markdown: string): { text: string; restore: (s: string) => string } {
  return {
    text: markdown.replace(ESCAPED_PUNCTUATION, (_all, c: string) => String.fromCharCode(STAND_IN_BASE + c.charCodeAt(0))),
    restore: (s) => s.replace(/[\ue021-\ue07e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - STAND_IN_BASE)),
  };
}
