import type { ScormItem, ScormVersion } from "./manifest";

/**
 * What a SCO's run-time data says about the learner, by the rules of its SCORM
 * version, and whether a package as a whole certifies them.
 *
 * SCORM 1.2 reports one `cmi.core.lesson_status`; when the manifest sets a
 * mastery score and the SCO reports a raw score, the score decides passed or
 * failed. SCORM 2004 reports completion and success apart; a
 * completion threshold and a scaled passing score, when set, decide them from
 * the progress measure and the scaled score.
 */

export type Completion = "completed" | "incomplete" | "not attempted" | "unknown";
export type Success = "passed" | "failed" | "unknown";

export type ScoOutcome = {
  completion: Completion;
  success: Success;
  /** The score as a fraction (0–1), when the SCO reported one. */
  score: number | null;
};

/** The run-time data as committed: element name → value, as the SCO set it. */
export type CmiValues = Readonly<Record<string, string>>;

const number = (value: string | undefined): number | null => {
  if (value === undefined || value.trim() === "") return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
};

function outcome12(cmi: CmiValues, item: Pick<ScormItem, "masteryScore">): ScoOutcome {
  const status = (cmi["cmi.core.lesson_status"] ?? "not attempted").trim();
  const raw = number(cmi["cmi.core.score.raw"]);
  const max = number(cmi["cmi.core.score.max"]) ?? 100;
  const min = number(cmi["cmi.core.score.min"]) ?? 0;
  const score = raw === null || max <= min ? null : Math.min(1, Math.max(0, (raw - min) / (max - min)));
  const completion: Completion =
    status === "passed" || status === "failed" || status === "completed"
      ? "completed"
      : status === "incomplete" || status === "browsed"
        ? "incomplete"
        : "not attempted";
  let success: Success = status === "passed" ? "passed" : status === "failed" ? "failed" : "unknown";
  // The mastery score is on the 0–100 scale of score.raw.
  if (item.masteryScore !== null && raw !== null && completion === "completed")
    success = raw >= item.masteryScore * 100 ? "passed" : "failed";
  return { completion, success, score };
}

function outcome2004(cmi: CmiValues, item: Pick<ScormItem, "masteryScore" | "completionThreshold">): ScoOutcome {
  const reported = (cmi["cmi.completion_status"] ?? "unknown").trim();
  let completion: Completion = (["completed", "incomplete", "not attempted"] as const).includes(
    reported as "completed" | "incomplete" | "not attempted",
  )
    ? (reported as Completion)
    : "unknown";
  const progress = number(cmi["cmi.progress_measure"]);
  if (item.completionThreshold !== null && progress !== null)
    completion = progress >= item.completionThreshold ? "completed" : "incomplete";
  const scaled = number(cmi["cmi.score.scaled"]);
  const reportedSuccess = (cmi["cmi.success_status"] ?? "unknown").trim();
  let success: Success = reportedSuccess === "passed" || reportedSuccess === "failed" ? reportedSuccess : "unknown";
  if (item.masteryScore !== null && scaled !== null) success = scaled >= item.masteryScore ? "passed" : "failed";
  return { completion, success, score: scaled === null ? null : Math.min(1, Math.max(0, scaled)) };
}

/** A SCO's outcome from its committed run-time data. */
export function scoOutcome(
  version: ScormVersion,
  cmi: CmiValues,
  item: Pick<ScormItem, "masteryScore" | "completionThreshold">,
): ScoOutcome {
  return version === "1.2" ? outcome12(cmi, item) : outcome2004(cmi, item);
}

/**
 * Whether a package certifies the learner: every SCO is done — passed, or
 * completed where it reports no success — and none failed. The score is the
 * mean of the scores reported, for the record.
 */
export function packageOutcome(outcomes: ScoOutcome[]): { certifies: boolean; failed: boolean; score: number | null } {
  const failed = outcomes.some((o) => o.success === "failed");
  const done = outcomes.every(
    (o) => o.success === "passed" || (o.success === "unknown" && o.completion === "completed"),
  );
  const scores = outcomes.map((o) => o.score).filter((s): s is number => s !== null);
  return {
    certifies: outcomes.length > 0 && done && !failed,
    failed,
    score: scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null,
  };
}
