import { describe, expect, it } from "vitest";

import { csvField, toCsv } from "@/lib/reports/csv";

describe("CSV fields", () => {
  it.each([
    ["plain", "plain"],
    ["", ""],
    [null, ""],
    [undefined, ""],
    [42, "42"],
    ["José Ñúñez", "José Ñúñez"],
    ["李华", "李华"],
    ["— (not applicable)", "— (not applicable)"],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["two\nlines", '"two\nlines"'],
    ["cr\rinside", '"cr\rinside"'],
    ["Liam O'Connor", "Liam O'Connor"],
  ])("%j → %j", (input, output) => {
    expect(csvField(input)).toBe(output);
  });

  it.each([
    ["=1+2", "'=1+2"],
    ["+44 20 7946 0000", "'+44 20 7946 0000"],
    ["-5", "'-5"],
    ["@SUM(A1:A2)", "'@SUM(A1:A2)"],
    ["\t=cmd", "'\t=cmd"],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ["\r=cmd", `"'\r=cmd"`],
  ])("neutralises formula %j → %j", (input, output) => {
    expect(csvField(input)).toBe(output);
  });

  it("only looks at the first character", () => {
    expect(csvField("a=b")).toBe("a=b");
    expect(csvField("In progress 40% (due 9 Dec 2026)")).toBe("In progress 40% (due 9 Dec 2026)");
  });
});

describe("CSV documents", () => {
  it("starts with a UTF-8 BOM and ends every record with CRLF", () => {
    const csv = toCsv([
      ["Name", "Note"],
      ["Ana", "=2*3"],
      ["Zoë, A.", 'He said "ok"'],
    ]);
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv.slice(1)).toBe(`Name,Note\r\nAna,'=2*3\r\n"Zoë, A.","He said ""ok"""\r\n`);
    expect(Buffer.from(csv, "utf8").subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });
});
