import { describe, expect, it } from "vitest";

import { markdownToPlainText, renderMarkdown } from "@/lib/content/markdown";

describe("content Markdown", () => {
  it("renders ordinary markup", () => {
    const html = renderMarkdown("## Heading\n\nSome **bold** text and a [link](https://example.com).\n\n- one\n- two");
    expect(html).toContain("<h2>Heading</h2>");
    expect(html).toContain("<strong>bold</strong>");
    expect(html).toContain('<a href="https://example.com">link</a>');
    expect(html).toContain("<li>one</li>");
  });
  it("drops scripts, iframes, event handlers, styles and javascript: links", () => {
    const html = renderMarkdown(
      '<script>alert(1)</script><iframe src="https://evil.example"></iframe><img src=x onerror=alert(1)><p style="color:red" onclick="x()">hi</p>[bad](javascript:alert(1))<a href="javascript:alert(2)">x</a>',
    );
    expect(html).not.toMatch(/<script|<iframe|<img|onerror|onclick|style=|href="javascript/i);
    expect(html).toContain("hi");
  });
  it("turns task-list boxes into hidden symbols, not unlabelled controls", () => {
    const html = renderMarkdown("- [ ] open\n- [x] done");
    expect(html).not.toContain("<input");
    expect(html).toContain('<span aria-hidden="true" class="task-box">☐ </span>');
    expect(html).toContain("☑");
  });
  it("produces plain text for PDFs", () => {
    expect(markdownToPlainText("## Title\n\n**Bold** and *it* and [link](https://x)\n- item")).toBe(
      "Title\n\nBold and it and link\n• item",
    );
  });
});
