import { describe, expect, it } from "vitest";

import { listInWords, periodInWords, plural } from "@/lib/format";

describe("format", () => {
  it.each([
    [0, "year", "0 years"],
    [1, "year", "1 year"],
    [2, "year", "2 years"],
    [1200, "event", "1,200 events"],
  ])("plural(%s, %s) → %s", (count, noun, words) => {
    expect(plural(count, noun)).toBe(words);
  });

  it("takes an irregular plural", () => {
    expect(plural(1, "person", "people")).toBe("1 person");
    expect(plural(3, "person", "people")).toBe("3 people");
  });

  it.each([
    ["P1Y", "1 year"],
    ["P7Y", "7 years"],
    ["P90D", "90 days"],
    ["P1M", "1 month"],
    ["P1Y6M", "1 year 6 months"],
    ["P2W", "2 weeks"],
    ["not a period", "not a period"],
  ])("periodInWords(%s) → %s", (period, words) => {
    expect(periodInWords(period)).toBe(words);
  });

  it.each([
    [[], ""],
    [["a"], "a"],
    [["a", "b"], "a and b"],
    [["a", "b", "c"], "a, b and c"],
  ])("listInWords(%j) → %s", (items, words) => {
    expect(listInWords(items)).toBe(words);
  });
});
