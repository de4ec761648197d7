import { describe, expect, it } from "vitest";

import { IMAGE_NAME, imageNameFrom, sniffImage } from "@/lib/content/images";
import { markdownToPlainText, renderMarkdown } from "@/lib/content/markdown";

describe("content Markdown", () => {
  it("reads lesson images by their first bytes and names them from the uploaded file", () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
    expect(sniffImage(png)).toBe("image/png");
    expect(sniffImage(Buffer.from([0xff, 0xd8, 0xff, 0xdb]))).toBe("image/jpeg");
    expect(sniffImage(Buffer.concat([Buffer.from("RIFF"), Buffer.alloc(4), Buffer.from("WEBPVP8 ")]))).toBe(
      "image/webp",
    );
    expect(sniffImage(Buffer.concat([Buffer.from("RIFF"), Buffer.alloc(4), Buffer.from("WAVEfmt ")]))).toBeNull();
    expect(sniffImage(Buffer.from("GIF89a"))).toBeNull();
    expect(sniffImage(Buffer.from("<svg/>"))).toBeNull();
    expect(sniffImage(png.subarray(0, 4))).toBeNull();
    expect(imageNameFrom("Floor Plan (Leeds) 2.PNG")).toBe("floor-plan-leeds-2.png");
    expect(imageNameFrom("Café_door.JPEG")).toBe("cafe-door.jpeg");
    expect(imageNameFrom("---.webp")).toBe("image.webp");
    expect(IMAGE_NAME.test(imageNameFrom("Floor Plan.png"))).toBe(true);
  });

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
  it("shows a lesson's own course images, by the URL they are served at, and no other image", () => {
    const lesson = (md: string) => renderMarkdown(md, { courseId: "insider-risk" });
    expect(lesson("![The door](images/badge-reader.png)")).toBe(
      '<p><img src="/courses/insider-risk/images/badge-reader.png" alt="The door" /></p>\n',
    );
    expect(lesson("![x](/courses/insider-risk/images/plan.webp)")).toContain(
      '<img src="/courses/insider-risk/images/plan.webp" alt="x" />',
    );
    expect(lesson('<img src="images/a.jpg" alt="a" onerror="alert(1)" onload="x()" style="width:1px" title="t">')).toBe(
      '<img src="/courses/insider-risk/images/a.jpg" alt="a" />',
    );
    for (const src of [
      "javascript:alert(1)",
      "JaVaScRiPt:alert(1)",
      "data:image/png;base64,iVBORw0KGgo=",
      "//evil.example/a.png",
      "https://evil.example/a.png",
      "http://evil.example/a.png",
      "images/../a.png",
      "../images/a.png",
      "images/sub/a.png",
      "./images/a.png",
      "/courses/other-course/images/a.png",
      "/courses/insider-risk/images/../../admin.png",
      "/courses/insider-risk-2/images/a.png",
      "images/A.png",
      "images/a.svg",
      "images/a.gif",
      "images/a.png?x=1",
      "images/a.png#x",
    ]) {
      expect(lesson(`![alt](${src})`), src).not.toContain("<img");
      expect(lesson(`<img src="${src}" alt="alt">`), src).not.toContain("<img");
    }
    expect(lesson("<img src=x onerror=alert(1)>")).toBe("");
    expect(lesson('<img onerror="alert(1)">')).toBe("");
    // Everywhere else, no image at all.
    expect(renderMarkdown("![The door](images/badge-reader.png)")).toBe("<p></p>\n");
    expect(renderMarkdown('<img src="/courses/insider-risk/images/a.png">')).not.toContain("<img");
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
