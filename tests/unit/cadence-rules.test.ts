import { describe, expect, it } from "vitest";

import { digestPeriod, effectiveCadence } from "@/lib/notify/cadence.rules";

const at = (iso: string) => new Date(iso);

describe("digest periods", () => {
  it.each([
    // Daily: from 07:00 UTC to 07:00 UTC the next day.
    ["daily", "2026-12-09T06:59:59Z", "2026-12-08", "2026-12-08T07:00:00.000Z"],
    ["daily", "2026-12-09T07:00:00Z", "2026-12-09", "2026-12-09T07:00:00.000Z"],
    ["daily", "2026-12-09T23:30:00Z", "2026-12-09", "2026-12-09T07:00:00.000Z"],
    // Weekly: from Monday 07:00 UTC (7 December 2026 is a Monday).
    ["weekly", "2026-12-07T06:59:00Z", "week-2026-11-30", "2026-11-30T07:00:00.000Z"],
    ["weekly", "2026-12-07T07:00:00Z", "week-2026-12-07", "2026-12-07T07:00:00.000Z"],
    ["weekly", "2026-12-13T23:00:00Z", "week-2026-12-07", "2026-12-07T07:00:00.000Z"],
    ["weekly", "2027-01-01T12:00:00Z", "week-2026-12-28", "2026-12-28T07:00:00.000Z"],
  ] as const)("%s at %s is period %s, begun %s", (cadence, now, period, startsAt) => {
    const p = digestPeriod(cadence, at(now));
    expect(p.period).toBe(period);
    expect(p.startsAt.toISOString()).toBe(startsAt);
  });

  it("sends at once for the each cadence", () => {
    const now = at("2026-12-09T10:00:00Z");
    expect(digestPeriod("each", now)).toEqual({ period: "now-2026-12-09T10:00:00.000Z", startsAt: now });
  });

  it("lets a person's choice override the organisation's default", () => {
    expect(effectiveCadence(null, "daily")).toBe("daily");
    expect(effectiveCadence("each", "daily")).toBe("each");
    expect(effectiveCadence("weekly", "each")).toBe("weekly");
  });
});
