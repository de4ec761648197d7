import { describe, expect, it } from "vitest";

import { splitRuns } from "@/lib/pdf/fonts";
import { A4, Flow } from "@/lib/pdf/layout";
import { markdownBlocks } from "@/lib/pdf/markdown-blocks";
import { spans, wrap, type Line } from "@/lib/pdf/text-wrap";

const textOf = (lines: Line[]) =>
  lines
    .map((l) =>
      [...l.pieces]
        .sort((a, b) => a.x - b.x)
        .map((p) => p.text)
        .join(""),
    )
    .join("\n");

describe("font runs", () => {
  it.each([
    ["José Ñúñez", [["José Ñúñez", "sans"]]],
    ["Иван Петров", [["Иван Петров", "sans"]]],
    [
      "José 李华",
      [
        ["José ", "sans"],
        ["李华", "cjk"],
      ],
    ],
    ["李华 王小明", [["李华 王小明", "cjk"]]],
    ["محمد علي", [["محمد علي", "arabic"]]],
    [
      "김민준 Kim",
      [
        ["김민준 ", "hangul"],
        ["Kim", "sans"],
      ],
    ],
  ])("%s", (text, expected) => {
    expect(splitRuns(text).map((r) => [r.text, r.face])).toEqual(expected);
  });

  it("uses the bold faces for bold text, and the one CJK weight", () => {
    expect(splitRuns("Müller 李", true).map((r) => r.face)).toEqual(["sansBold", "cjk"]);
    expect(splitRuns("محمد", true)[0].face).toBe("arabicBold");
  });
});

describe("wrap", () => {
  const paragraph =
    "Use confidential information only to do your job, and only for the purpose for which it was collected — for example, using a customer's details to resolve their ticket.";

  it("keeps every line within the width and every word in order", () => {
    for (const width of [80, 150, 300, 483]) {
      const lines = wrap(spans(paragraph), 10.5, width);
      for (const line of lines) expect(line.width).toBeLessThanOrEqual(width + 0.01);
      expect(textOf(lines).replace(/\s+/g, " ").trim()).toBe(paragraph);
    }
  });

  it("breaks a word longer than the line (hashes, user agents)", () => {
    const hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    const lines = wrap(spans(hash), 10, 120);
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(line.width).toBeLessThanOrEqual(120.01);
    expect(textOf(lines).replace(/\n/g, "")).toBe(hash);
  });

  it("breaks Chinese text between characters", () => {
    const text = "本协议规定了您在工作期间必须如何保护客户数据凭证系统和合作伙伴信息并且在离职后仍然有效";
    const lines = wrap(spans(text), 12, 100);
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(line.width).toBeLessThanOrEqual(100.01);
    expect(textOf(lines).replace(/\n/g, "")).toBe(text);
  });

  it("keeps bold spans and hard line breaks", () => {
    const lines = wrap([{ text: "Name: ", bold: true }, { text: "José\u2028Email: jose@example.com" }], 10, 400);
    expect(lines).toHaveLength(2);
    expect(lines[0].pieces.map((p) => p.face)).toEqual(["sansBold", "sans"]);
  });

  it("lays right-to-left words out from right to left between left-to-right ones", () => {
    const [line] = wrap(spans("Signed by محمد علي today"), 10, 500);
    const arabic = line.pieces.find((p) => p.face === "arabic")!;
    const before = line.pieces.find((p) => p.text.startsWith("Signed"))!;
    const after = line.pieces.find((p) => p.text.includes("today"))!;
    // One piece in logical order: the font shaper reverses its glyphs.
    expect(arabic.text).toBe("محمد علي");
    expect(before.x).toBeLessThan(arabic.x);
    expect(arabic.x + arabic.width).toBeLessThanOrEqual(after.x + 0.01);
  });
});

describe("Flow", () => {
  it("moves to a new page instead of writing into the bottom margin", () => {
    const flow = new Flow({ pageSize: A4, margin: { top: 56, right: 56, bottom: 70, left: 56 } });
    const lines = wrap(spans("word ".repeat(3000)), 10.5, flow.width);
    flow.lines(lines, { size: 10.5, lineHeight: 15.5 });
    expect(flow.pages.length).toBeGreaterThan(3);
    for (const page of flow.pages) {
      for (const op of page) {
        if (op.kind !== "text") continue;
        expect(op.y).toBeGreaterThanOrEqual(70 - 1);
        expect(op.y).toBeLessThanOrEqual(A4.height - 56);
        expect(op.x + 0.01).toBeGreaterThanOrEqual(56);
      }
    }
  });
});

describe("agreement Markdown", () => {
  it("turns headings, paragraphs, bold and lists into blocks", () => {
    const blocks = markdownBlocks(
      "## 1. Scope\n\nThis is **binding**.\n\n1. First\n2. Second\n   - nested\n\n- bullet\n",
    );
    expect(blocks.map((b) => (b.kind === "paragraph" ? `${b.marker ?? "p"}@${b.indent}` : b.kind))).toEqual([
      "heading",
      "p@0",
      "1.@18",
      "2.@18",
      "•@36",
      "•@18",
    ]);
    const paragraph = blocks[1];
    expect(paragraph.kind === "paragraph" && paragraph.spans).toEqual([
      { text: "This is ", bold: false },
      { text: "binding", bold: true },
      { text: ".", bold: false },
    ]);
  });
});
