import { describe, expect, it } from "vitest";

import { exceptionPeriod, exceptionQuery, parseExceptionFilters } from "@/lib/evidence/exceptions-filters.rules";

const TODAY = new Date("2026-12-06T15:00:00Z");

describe("parseExceptionFilters", () => {
  it("defaults to the last twelve months, the whole organisation and 30 days", () => {
    expect(parseExceptionFilters({}, TODAY)).toEqual({
      from: "2025-12-06",
      to: "2026-12-06",
      department: null,
      overdueDays: 30,
    });
  });

  it("reads a period given the wrong way round the right way round, and the last day whole", () => {
    const filters = parseExceptionFilters({ from: "2026-06-30", to: "2026-01-01", overdueDays: "14" }, TODAY);
    expect(filters).toMatchObject({ from: "2026-01-01", to: "2026-06-30", overdueDays: 14 });
    expect(exceptionPeriod(filters)).toEqual({
      from: new Date("2026-01-01T00:00:00Z"),
      to: new Date("2026-07-01T00:00:00Z"),
    });
    expect(exceptionQuery(filters)).toBe("?from=2026-01-01&to=2026-06-30&overdueDays=14");
  });

  it("falls back to the defaults for anything unreadable", () => {
    expect(
      parseExceptionFilters({ from: "2026-02-30x", to: "tomorrow", department: "'; drop", overdueDays: "-1" }, TODAY),
    ).toEqual({ from: "2025-12-06", to: "2026-12-06", department: null, overdueDays: 30 });
  });
});
