import { describe, expect, it } from "vitest";

import { packageOutcome, scoOutcome } from "@/lib/scorm/outcome";

/** What SCOs report, read by each SCORM version's rules, and when a package certifies. */

const none = { masteryScore: null, completionThreshold: null };

describe("a SCORM 1.2 SCO's outcome", () => {
  it.each([
    ["passed", "completed", "passed"],
    ["failed", "completed", "failed"],
    ["completed", "completed", "unknown"],
    ["incomplete", "incomplete", "unknown"],
    ["browsed", "incomplete", "unknown"],
    ["not attempted", "not attempted", "unknown"],
  ] as const)("lesson_status %s reads as %s and %s", (status, completion, success) => {
    expect(scoOutcome("1.2", { "cmi.core.lesson_status": status }, none)).toMatchObject({ completion, success });
  });

  it("lets the mastery score decide from the raw score once the SCO is done, on its min–max scale", () => {
    const item = { masteryScore: 0.8, completionThreshold: null };
    const done = (raw: string) =>
      scoOutcome("1.2", { "cmi.core.lesson_status": "completed", "cmi.core.score.raw": raw }, item);
    expect(done("80")).toEqual({ completion: "completed", success: "passed", score: 0.8 });
    expect(done("79")).toMatchObject({ success: "failed" });
    // A SCO that says passed below the mastery score has failed.
    expect(scoOutcome("1.2", { "cmi.core.lesson_status": "passed", "cmi.core.score.raw": "50" }, item)).toMatchObject({
      success: "failed",
    });
    // Still going: no verdict yet.
    expect(
      scoOutcome("1.2", { "cmi.core.lesson_status": "incomplete", "cmi.core.score.raw": "95" }, item),
    ).toMatchObject({ completion: "incomplete", success: "unknown" });
    expect(
      scoOutcome(
        "1.2",
        { "cmi.core.lesson_status": "completed", "cmi.core.score.raw": "8", "cmi.core.score.max": "10" },
        none,
      ).score,
    ).toBe(0.8);
  });
});

describe("a SCORM 2004 SCO's outcome", () => {
  it("keeps completion and success apart as reported", () => {
    expect(
      scoOutcome("2004 4th Edition", { "cmi.completion_status": "completed", "cmi.success_status": "failed" }, none),
    ).toEqual({ completion: "completed", success: "failed", score: null });
    expect(scoOutcome("2004 3rd Edition", {}, none)).toEqual({
      completion: "unknown",
      success: "unknown",
      score: null,
    });
  });

  it("decides completion from the progress measure and success from the scaled score where the manifest sets thresholds", () => {
    const item = { masteryScore: 0.7, completionThreshold: 0.9 };
    const run = (cmi: Record<string, string>) => scoOutcome("2004 4th Edition", cmi, item);
    expect(run({ "cmi.progress_measure": "0.95", "cmi.score.scaled": "0.7" })).toEqual({
      completion: "completed",
      success: "passed",
      score: 0.7,
    });
    expect(run({ "cmi.completion_status": "completed", "cmi.progress_measure": "0.5" })).toMatchObject({
      completion: "incomplete",
    });
    expect(run({ "cmi.success_status": "passed", "cmi.score.scaled": "0.2" })).toMatchObject({ success: "failed" });
    expect(run({ "cmi.score.scaled": "-0.5" }).score).toBe(0);
  });
});

describe("a package's outcome", () => {
  const sco = (
    completion: "completed" | "incomplete",
    success: "passed" | "failed" | "unknown",
    score: number | null = null,
  ) => ({
    completion,
    success,
    score,
  });
  it("certifies when every SCO passed, or completed without a verdict, and none failed", () => {
    expect(packageOutcome([sco("completed", "passed", 0.9), sco("completed", "unknown", 0.7)])).toEqual({
      certifies: true,
      failed: false,
      score: 0.8,
    });
    expect(packageOutcome([sco("completed", "passed"), sco("incomplete", "unknown")])).toMatchObject({
      certifies: false,
      failed: false,
    });
    expect(packageOutcome([sco("completed", "passed"), sco("completed", "failed")])).toMatchObject({
      certifies: false,
      failed: true,
    });
    expect(packageOutcome([])).toMatchObject({ certifies: false });
  });
});
