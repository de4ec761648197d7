/**
 * A small HTML builder for the public pages, which are sent as plain documents
 * without the React runtime. Every interpolated value is escaped unless it is
 * already `Html`, so text from content or configuration can never become markup.
 */

export class Html {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

/** What may be interpolated: text (escaped), markup, lists of either, or nothing. */
export type HtmlPart = Html | string | number | null | undefined | false | readonly HtmlPart[];

/** Escapes text for an element body or a double-quoted attribute value. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

function render(part: HtmlPart): string {
  if (part === null || part === undefined || part === false) return "";
  if (part instanceof Html) return part.markup;
  if (Array.isArray(part)) return part.map(render).join("");
  return escapeHtml(String(part));
}

export function html(strings: TemplateStringsArray, ...values: HtmlPart[]): Html {
  let markup = strings[0];
  for (let i = 0; i < values.length; i++) markup += render(values[i]) + strings[i + 1];
  return new Html(markup);
}

/** Markup that is already safe, such as content Markdown after renderMarkdown() has sanitised it. */
export function trustedHtml(markup: string): Html {
  return new Html(markup);
}
