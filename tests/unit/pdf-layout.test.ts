import { describe, expect, it } from "vitest";

import { drawBlocks } from "@/lib/pdf/draw-blocks";
import { splitRuns } from "@/lib/pdf/fonts";
import { A4, Flow, type Op } from "@/lib/pdf/layout";
import { BODY, markdownBlocks } from "@/lib/pdf/markdown-blocks";
import { StructElement } from "@/lib/pdf/structure";
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

const MARGIN = { top: 56, right: 56, bottom: 70, left: 56 };
const newFlow = () => new Flow({ pageSize: A4, margin: MARGIN });
const LINE = { size: BODY.size, lineHeight: BODY.lineHeight };

/** `count` wrapped lines of body text. */
function bodyLines(flow: Flow, count: number): Line[] {
  const lines = wrap(
    spans("Keep confidential information on approved systems only. ".repeat(count * 2)),
    10.5,
    flow.width,
  );
  return lines.slice(0, count);
}

/** Moves the cursor so that exactly `lines` body lines still fit on the page. */
function leaveRoom(flow: Flow, lines: number) {
  flow.y = flow.bottom + lines * LINE.lineHeight + 1;
}

/** Distinct baselines of the text ops on each page that `keep` selects: the lines each page holds. */
function linesPerPage(flow: Flow, keep: (op: Op) => boolean = () => true): number[] {
  return flow.pages.map((ops) => new Set(ops.flatMap((op) => (op.kind === "text" && keep(op) ? [op.y] : []))).size);
}

describe("widow and orphan control", () => {
  it.each([
    // room on the page, lines in the paragraph, lines on this page and the next
    [1, 5, [0, 5]],
    [4, 5, [3, 2]],
    [2, 3, [0, 3]],
    [1, 2, [0, 2]],
    [2, 2, [2, 0]],
    [3, 4, [2, 2]],
    [5, 5, [5, 0]],
    [6, 9, [6, 3]],
  ])("with room for %i lines, a paragraph of %i lines is split %j", (room, count, expected) => {
    const flow = newFlow();
    leaveRoom(flow, room);
    flow.lines(bodyLines(flow, count), { ...LINE, tag: new StructElement("P") });
    expect([...linesPerPage(flow), 0].slice(0, 2)).toEqual(expected);
  });

  it("never leaves one line of a paragraph alone on a page, wherever the paragraph starts", () => {
    for (let room = 0; room <= 8; room++) {
      for (let count = 1; count <= 60; count += count < 8 ? 1 : 13) {
        const flow = newFlow();
        leaveRoom(flow, room);
        const paragraph = new StructElement("P");
        flow.lines(bodyLines(flow, count), { ...LINE, tag: paragraph });
        const pages = linesPerPage(flow, (op) => op.tag === paragraph).filter((n) => n > 0);
        expect(
          pages.reduce((a, b) => a + b, 0),
          `room ${room}, ${count} lines`,
        ).toBe(count);
        if (count >= 2)
          for (const n of pages) expect(n, `room ${room}, ${count} lines: ${pages}`).toBeGreaterThanOrEqual(2);
        for (const page of flow.pages)
          for (const op of page) if (op.kind === "text") expect(op.y).toBeGreaterThanOrEqual(MARGIN.bottom - 1);
      }
    }
  });

  it("draws a list item's number on the line its text starts on, even when the item moves overleaf", () => {
    const flow = newFlow();
    leaveRoom(flow, 2);
    const label = new StructElement("Lbl");
    const marker = { line: wrap(spans("3."), 10.5, 100)[0], indent: 0, tag: label };
    flow.lines(bodyLines(flow, 3), { ...LINE, indent: 18, marker, tag: new StructElement("P") });
    expect(linesPerPage(flow)).toEqual([0, 3]);
    const [number] = flow.pages[1].filter((op) => op.tag === label);
    const firstLine = flow.pages[1].find((op) => op.kind === "text" && op.tag !== label)!;
    expect(number).toMatchObject({ kind: "text", text: "3.", x: MARGIN.left });
    expect(number.kind === "text" && firstLine.kind === "text" && number.y === firstLine.y).toBe(true);
  });
});

describe("Markdown blocks on pages", () => {
  const paragraph =
    "You agree to protect confidential information, to use it only for the work you are assigned, and to report any loss straight away so that it can be contained. ".repeat(
      3,
    );

  /** The page each op with one of `roles` is on, by role, for blocks drawn from `room` lines above the foot. */
  function draw(markdown: string, room: number) {
    const flow = newFlow();
    leaveRoom(flow, room);
    const root = new StructElement("Document");
    drawBlocks(flow, markdownBlocks(markdown), root, { ...BODY, topHeadingLevel: 1 });
    const pagesOf = (role: string) =>
      flow.pages.flatMap((ops, page) =>
        ops.filter((op) => op.kind === "text" && op.tag?.role === role).map(() => page),
      );
    return { flow, root, pagesOf };
  }

  it("keeps a heading with the first two lines of the paragraph after it", () => {
    for (let room = 0; room <= 8; room++) {
      const { flow, pagesOf } = draw(`## 2. Your obligations\n\n${paragraph}`, room);
      const headingPage = Math.max(...pagesOf("H2"));
      const firstLines = linesPerPage(flow, (op) => op.tag?.role === "P")[headingPage];
      expect(firstLines, `room ${room}`).toBeGreaterThanOrEqual(2);
    }
  });

  it("keeps a heading with a heading after it and that heading's paragraph", () => {
    for (let room = 0; room <= 8; room++) {
      const { pagesOf } = draw(`## 2. Your obligations\n\n### 2.1 At work\n\n${paragraph}`, room);
      expect(new Set([...pagesOf("H2"), ...pagesOf("H3"), pagesOf("P")[0]]).size, `room ${room}`).toBe(1);
    }
  });

  const consent = [
    "This is your consent. Please read it before you sign.",
    "",
    "1. **What this consent covers.** It covers this agreement only: the text you sign, the signed copy and the notices about this signature.",
    "2. **Paper copies.** You can ask for a paper copy at any time.",
    "   - *before you sign*, choose another way to sign;",
    "   - *after you sign*, write to the compliance team.",
    "3. **Copies.** You can download the signed agreement immediately after signing.",
  ].join("\n");

  it("reads the consent's numbered points as list items, not one paragraph", () => {
    const blocks = markdownBlocks(consent);
    expect(blocks.map((b) => (b.kind === "paragraph" ? (b.marker ?? "p") : b.kind))).toEqual([
      "p",
      "1.",
      "2.",
      "•",
      "•",
      "3.",
    ]);
    const nested = blocks[3];
    expect(nested.kind === "paragraph" && nested.within?.map((w) => w.item)).toEqual([1, 0]);
  });

  it("sets each list item on its own lines, its number in the margin and its text in a hanging indent", () => {
    const { flow, root } = draw(consent, 40);
    const ops = flow.pages[0].filter((op): op is Extract<Op, { kind: "text" }> => op.kind === "text");
    const labels = ops.filter((op) => op.tag?.role === "Lbl" && op.text.trim());
    expect(labels.map((op) => op.text)).toEqual(["1.", "2.", "•", "•", "3."]);
    for (const label of labels) {
      const item = label.tag!.parent!;
      const body = ops.filter((op) => op.tag?.parent?.parent === item);
      const textLeft = Math.min(...body.map((op) => op.x));
      // The text starts on the number's line, to its right, and every further line starts there too.
      expect(body.some((op) => op.y === label.y)).toBe(true);
      expect(textLeft).toBeGreaterThan(label.x + 10);
      const lineStarts = new Map<number, number>();
      for (const op of body) lineStarts.set(op.y, Math.min(lineStarts.get(op.y) ?? Infinity, op.x));
      for (const x of lineStarts.values()) expect(x).toBeCloseTo(textLeft, 3);
    }
    // Each item starts below the one before it.
    const tops = labels.map((op) => op.y);
    expect([...tops].sort((a, b) => b - a)).toEqual(tops);
    expect(new Set(tops).size).toBe(tops.length);

    // Tagged as a list: L > LI > Lbl + LBody, the bullets a list inside the second item's body.
    const [list] = root.kids.filter((k): k is StructElement => k instanceof StructElement && k.role === "L");
    const items = list.kids as StructElement[];
    expect(items.map((li) => (li.kids as StructElement[]).map((k) => k.role))).toEqual([
      ["Lbl", "LBody"],
      ["Lbl", "LBody"],
      ["Lbl", "LBody"],
    ]);
    const secondBody = (items[1].kids as StructElement[])[1];
    expect((secondBody.kids as StructElement[]).map((k) => k.role)).toEqual(["P", "L"]);
  });
});
