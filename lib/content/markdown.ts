import { marked } from "marked";
import sanitizeHtml from "sanitize-html";
import { shieldEscapes } from "./markdown-escape";

/**
 * Markdown from content/ becomes HTML that can only contain ordinary text
 * markup: no scripts, iframes, styles, event handlers or off-site images.
 */
const allowed: sanitizeHtml.IOptions = {
  allowedTags: ["h2", "h3", "h4", "p", "ul", "ol", "li", "strong", "em", "code", "pre", "blockquote", "a", "table", "thead", "tbody", "tr", "th", "td", "hr", "br", "input", "span"],
  allowedAttributes: { a: ["href", "title"], span: ["aria-hidden", "class"], th: ["align"], td: ["align"] },
  allowedSchemes: ["https", "mailto"],
  allowedSchemesAppliedToAttributes: ["href"],
  allowProtocolRelative: false,
  transformTags: {
    // Task-list checkboxes from Markdown are display-only: a box character, not an unlabelled form control.
    input: (_tagName, attribs) => ({ tagName: "span", attribs: { "aria-hidden": "true", class: "task-box" }, text: attribs.checked !== undefined ? "☑ " : "☐ " }),
    h1: "h2",
  },
};

export function renderMarkdown(markdown: string): string {
  const html = marked.parse(markdown, { async: false, gfm: true }) as string;
  return sanitizeHtml(html, allowed);
}

/** Plain text for PDFs and emails: Markdown markers removed, paragraphs kept. */
export function markdownToPlainText(markdown: string): string {
  const { text, restore } = shieldEscapes(markdown);
  const plain = text
    .replace(/^#{1,6}\s+/gm, "")
    .replace(/\*\*(.+?)\*\*/g, "$1")
    .replace(/(^|[^*])\*(?!\s)(.+?)\*/g, "$1$2")
    .replace(/`([^`]+)`/g, "$1")
    .replace(/\[([^\]]+)\]\([^)]+\)/g, "$1")
    .replace(/^\s*[-*+]\s+\[( |x)\]\s+/gim, "• ")
    .replace(/^\s*[-*+]\s+/gm, "• ")
    .trim();
  return restore(plain);
}
