import { describe, expect, it } from "vitest";

import { diffFiles, diffLines } from "@/lib/content/diff";

describe("content diff", () => {
  it("pairs unchanged lines and shows a replaced line beside its replacement", () => {
    const rows = diffLines("a\nb\nc\nd\n", "a\nB\nc\nd\ne\n");
    expect(rows).toEqual([
      { kind: "same", left: 1, right: 1, text: "a" },
      { kind: "changed", left: 2, right: 2, before: "b", after: "B" },
      { kind: "same", left: 3, right: 3, text: "c" },
      { kind: "same", left: 4, right: 4, text: "d" },
      { kind: "added", right: 5, after: "e" },
    ]);
  });

  it("shows removed lines on the left only, and rebuilds both sides exactly", () => {
    const before = "one\ntwo\nthree\nfour\nfive";
    const after = "zero\none\nthree\nfive\nsix";
    const rows = diffLines(before, after);
    const left = rows.flatMap((r) =>
      r.kind === "same" ? [r.text] : r.kind === "changed" || r.kind === "removed" ? [r.before] : [],
    );
    const right = rows.flatMap((r) =>
      r.kind === "same" ? [r.text] : r.kind === "changed" || r.kind === "added" ? [r.after] : [],
    );
    expect(left.join("\n")).toBe(before);
    expect(right.join("\n")).toBe(after);
    expect(rows.filter((r) => r.kind === "same").map((r) => (r.kind === "same" ? r.text : ""))).toEqual([
      "one",
      "three",
      "five",
    ]);
  });

  it("names files added, removed, changed and unchanged between versions", () => {
    const files = diffFiles({ "a.md": "x", "b.md": "y", "c.md": "z" }, { "a.md": "x", "b.md": "Y", "d.md": "w" });
    expect(files.map((f) => [f.path, f.status])).toEqual([
      ["a.md", "same"],
      ["b.md", "changed"],
      ["c.md", "removed"],
      ["d.md", "added"],
    ]);
  });
  it("compares a lesson image as one line naming its size and SHA-256, not its bytes", () => {
    const rel = "courses/c/images/plan.png";
    const [file] = diffFiles(
      { [rel]: Buffer.from("one").toString("base64") },
      { [rel]: Buffer.from("two!").toString("base64") },
    );
    expect(file.status).toBe("changed");
    expect(file.rows).toEqual([
      expect.objectContaining({
        kind: "changed",
        before: expect.stringMatching(/^Image: 3 bytes, SHA-256 [0-9a-f]{64}$/),
        after: expect.stringMatching(/^Image: 4 bytes, SHA-256 [0-9a-f]{64}$/),
      }),
    ]);
  });
});
