import { marked } from "marked";
import sanitizeHtml from "sanitize-html";
import { IMAGE_NAME, imageUrl } from "./images";
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

/**
 * A lesson of a course may show that course's own images, and nothing else:
 * `images/<name>` (or the same image's full path) becomes
 * `/courses/<courseId>/images/<name>`; an image with any other source
 * (another course's, data:, http(s), a path out of the folder) is dropped.
 */
function lessonOptions(courseId: string): sanitizeHtml.IOptions {
  const own = `/courses/${courseId}/images/`;
  const srcOf = (src: string | undefined): string | null => {
    if (src === undefined) return null;
    const name = src.startsWith("images/") ? src.slice("images/".length) : src.startsWith(own) ? src.slice(own.length) : null;
    return name !== null && IMAGE_NAME.test(name) ? imageUrl(courseId, name) : null;
  };
  return {
    ...allowed,
    allowedTags: [...(allowed.allowedTags || []), "img"],
    allowedAttributes: { ...allowed.allowedAttributes, img: ["src", "alt"] },
    transformTags: {
      ...allowed.transformTags,
      img: (tagName, attribs): sanitizeHtml.Tag => {
        const src = srcOf(attribs.src);
        return { tagName, attribs: src ? { src, alt: attribs.alt ?? "" } : {} };
      },
    },
    exclusiveFilter: (frame) => frame.tag === "img" && !frame.attribs.src,
  };
}

/** Sanitised HTML of content Markdown; `{ courseId }` when it is a lesson of that course, whose images it may show. */
export function renderMarkdown(markdown: string, options: { courseId?: string } = {}): string {
  const html = marked.parse(markdown, { async: false, gfm: true }) as string;
  return sanitizeHtml(html, options.courseId ? lessonOptions(options.courseId) : allowed);
}

/** Plain text for PDFs and emails: Markdown markers removed, paragraphs kept. */
export function markdownToPlainText(markdown: string): string {
  const { text, restore } = shieldEscapes(markdown);
  const plain = text
    .replace(/^#{1,6}\s+/gm, "")
    .replace(/\*\*(.+?)\*\*/g, "$1")
    .replace(/(^|[^*])\*(?!\s)(.+?)\*/g, "$1$2")
    .replace(/`([^`]+)`/g, "$1")
    .replace(/!\[([^\]]*)\]\([^)]+\)/g, "$1")
    .replace(/\[([^\]]+)\]\([^)]+\)/g, "$1")
    .replace(/^\s*[-*+]\s+\[( |x)\]\s+/gim, "• ")
    .replace(/^\s*[-*+]\s+/gm, "• ")
    .trim();
  return restore(plain);
}
