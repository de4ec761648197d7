import { describe, expect, it } from "vitest";

import { isCalendarDay } from "@/lib/time";

describe("isCalendarDay", () => {
  it.each([
    ["2026-02-28", true],
    ["2028-02-29", true],
    ["2026-02-29", false],
    ["2026-02-30", false],
    ["2026-04-31", false],
    ["2026-12-31", true],
    ["2026-13-01", false],
    ["2026-00-10", false],
    ["2026-1-01", false],
    ["2026-01-01T00:00", false],
    ["", false],
  ])("%s is a day: %s", (value, expected) => expect(isCalendarDay(value)).toBe(expected));

  it("keeps to the years given", () => {
    expect(isCalendarDay("1999-12-31", { from: 2000, to: 9999 })).toBe(false);
    expect(isCalendarDay("2000-01-01", { from: 2000, to: 9999 })).toBe(true);
  });
});
