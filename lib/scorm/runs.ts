import "server-only";

import { and, eq } from "drizzle-orm";
import { z } from "zod";

import { getDb, type Executor } from "@/db/client";
import { certifications, quizAttempts, scormScoData } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import type { Viewer } from "@/lib/auth/roles";
import { DomainError, NotFoundError } from "@/lib/errors";
import { formatDateTime } from "@/lib/format";
import { issueCertification, queueAttemptGraded, queueAttemptStarted, quizAllowance } from "@/lib/training/attempts";
import { courseAtVersion, learnerCourse } from "@/lib/training/learner-course";

import type { ScormItem, ScormManifest } from "./manifest";
import { packageOutcome, scoOutcome, type CmiValues, type ScoOutcome } from "./outcome";
import { findPackage, type StoredPackage } from "./store";

/**
 * A learner's runs of a SCORM package. A run is a quiz attempt of kind
 * "package": one in progress per person and course (so a second tab or
 * device resumes it), counted against the course's attempt limit, and, once
 * passed, the attempt a certification points at. Each SCO's run-time data is
 * kept as it was last committed, which is what the learner resumes from.
 *
 * Unlike Clearance's own quiz, the result is reported by the package from
 * the learner's browser: the server applies the package's rules (mastery
 * score, completion threshold) to what was reported, but cannot check the
 * answers behind it.
 */

/** The most a SCO may keep in one commit: SCORM 2004's largest element (suspend data) is 64,000 characters. */
export const MAX_COMMIT_BYTES = 256_000;

const cmiKey = z
  .string()
  .max(255)
  .regex(/^cmi\.[A-Za-z0-9_.]+$/);

/** What a SCO commits: flattened run-time data (element → value). Elements that are empty collections come as objects and are left out. */
export const commitSchema = z.record(z.string(), z.unknown()).transform((raw, ctx) => {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === "object" && value !== null && !Array.isArray(value) && !Object.keys(value).length) continue;
    if (!cmiKey.safeParse(key).success) {
      ctx.addIssue({ code: "custom", message: `"${key.slice(0, 80)}" is not a run-time data element.` });
      return z.NEVER;
    }
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
      ctx.addIssue({ code: "custom", message: `${key} must be a text value.` });
      return z.NEVER;
    }
    values[key] = String(value);
  }
  return values;
});

export type ScoLaunch = {
  id: string;
  title: string;
  /** Same-origin URL of the SCO's launch file, with the item's parameters. */
  url: string;
  /** Run-time data to load before the SCO starts: what it committed last, and what the LMS provides. */
  cmi: Record<string, string>;
  outcome: ScoOutcome;
};

export type PackageLaunch = {
  attemptId: string;
  courseId: string;
  courseTitle: string;
  scormVersion: ScormManifest["version"];
  scos: ScoLaunch[];
};

export type RunResult = {
  status: "in_progress" | "passed" | "failed";
  certificationId: string | null;
  scorePercent: number | null;
  /**
   * After a SCO's session ends in a run still going, what it starts from when
   * it is launched again (as `packageLaunch` would give it): the player uses
   * it when the learner goes back to that part without reloading the page.
   */
  resume?: Record<string, string>;
};

async function packageOfVersion(db: Executor, courseId: string, version: string): Promise<StoredPackage> {
  const course = await courseAtVersion(db, courseId, version);
  if (!course?.package) throw new NotFoundError("That course does not play a SCORM package.");
  const stored = await findPackage(db, course.package);
  if (!stored)
    throw new NotFoundError("The course's SCORM package is missing: ask a compliance admin to upload it again.");
  return stored;
}

/** The launch file of a SCO, under the package's same-origin path, with the item's query string or fragment. */
export function scoUrl(sha256: string, item: ScormItem): string {
  const href = item.resource!.href.split("/").map(encodeURIComponent).join("/");
  let url = `/scorm/${sha256}/${href}`;
  const parameters = item.parameters?.trim();
  if (parameters) {
    if (parameters.startsWith("#")) url += parameters;
    else url += (url.includes("?") ? "&" : "?") + parameters.replace(/^[?&]/, "");
  }
  return url;
}

/**
 * Starts a run of a course's package, or returns the one in progress. A
 * learner who has used their attempts waits out the course's cool-down, as
 * for a quiz.
 */
export async function startPackageRun(
  viewer: Viewer,
  courseId: string,
  now = new Date(),
): Promise<{ attemptId: string }> {
  const db = await getDb();
  const course = await learnerCourse(db, viewer.id, courseId);
  if (!course) throw new NotFoundError("That course does not exist.");
  if (!course.package) throw new DomainError("not_package", "This course has lessons and a quiz, not a SCORM package.");
  const open = await openRun(db, viewer.id, courseId);
  if (open) return { attemptId: open };
  const allowance = await quizAllowance(viewer.id, courseId, now);
  if (!allowance.allowed)
    throw new DomainError(
      "cooldown",
      `You have used all ${course.attemptLimit} attempts. You can try again after ${formatDateTime(allowance.retryAt)}.`,
    );
  const inserted = await db
    .insert(quizAttempts)
    .values({
      personId: viewer.id,
      courseId,
      courseVersion: course.version,
      kind: "package",
      drawn: [],
      questionCount: 0,
      passMark: course.passMark,
      startedAt: now,
    })
    .onConflictDoNothing()
    .returning({ id: quizAttempts.id });
  if (inserted[0]) {
    await queueAttemptStarted(db, { id: inserted[0].id, personId: viewer.id, email: viewer.email, course, at: now });
    return { attemptId: inserted[0].id };
  }
  // Another tab started one at the same moment: use that.
  const raced = await openRun(db, viewer.id, courseId);
  if (!raced) throw new DomainError("not_started", "The course could not be started. Try again.", 409);
  return { attemptId: raced };
}

async function openRun(db: Executor, personId: string, courseId: string): Promise<string | null> {
  const [row] = await db
    .select({ id: quizAttempts.id, kind: quizAttempts.kind })
    .from(quizAttempts)
    .where(
      and(
        eq(quizAttempts.personId, personId),
        eq(quizAttempts.courseId, courseId),
        eq(quizAttempts.status, "in_progress"),
      ),
    );
  if (row && row.kind !== "package")
    throw new DomainError(
      "quiz_open",
      "A quiz of this course is open from before it became a SCORM course. Finish it first.",
      409,
    );
  return row?.id ?? null;
}

/** "Surname, Given" as SCORM 1.2's student_name asks, from the name as kept. */
function scormName(name: string): string {
  const parts = name.trim().split(/\s+/);
  return parts.length > 1 ? `${parts.at(-1)}, ${parts.slice(0, -1).join(" ")}` : name.trim();
}

function clock12(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${String(Math.min(h, 9999)).padStart(4, "0")}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
}

/** A SCO's run-time data at launch: what it committed last, under the values the LMS owns. */
function launchCmi(
  pkg: StoredPackage,
  item: ScormItem,
  viewer: Viewer,
  stored: CmiValues | null,
  totalSeconds: number,
): Record<string, string> {
  const own = Object.fromEntries(Object.entries(stored ?? {}).filter(([k]) => !LMS_OWNED.test(k)));
  return { ...own, ...lmsValues(pkg, item, viewer, stored, totalSeconds) };
}

/** What the LMS sets for a SCO before it starts, by SCORM version, on top of what it committed last. */
function lmsValues(
  pkg: StoredPackage,
  item: ScormItem,
  viewer: Viewer,
  kept: CmiValues | null,
  totalSeconds: number,
): Record<string, string> {
  const resumed = Boolean(kept) && (kept!["cmi.core.exit"] ?? kept!["cmi.exit"]) === "suspend";
  if (pkg.version === "1.2") {
    return {
      "cmi.core.student_id": viewer.id,
      "cmi.core.student_name": scormName(viewer.name),
      "cmi.core.credit": "credit",
      "cmi.core.lesson_mode": "normal",
      "cmi.core.entry": resumed ? "resume" : kept ? "" : "ab-initio",
      "cmi.core.total_time": clock12(totalSeconds),
      ...(item.masteryScore !== null
        ? { "cmi.student_data.mastery_score": String(Math.round(item.masteryScore * 100)) }
        : {}),
      ...(item.launchData ? { "cmi.launch_data": item.launchData } : {}),
    };
  }
  return {
    "cmi.learner_id": viewer.id,
    "cmi.learner_name": viewer.name,
    "cmi.credit": "credit",
    "cmi.mode": "normal",
    "cmi.entry": resumed ? "resume" : kept ? "" : "ab-initio",
    "cmi.total_time": `PT${totalSeconds}S`,
    ...(item.masteryScore !== null ? { "cmi.scaled_passing_score": String(item.masteryScore) } : {}),
    ...(item.completionThreshold !== null ? { "cmi.completion_threshold": String(item.completionThreshold) } : {}),
    ...(item.launchData ? { "cmi.launch_data": item.launchData } : {}),
  };
}

/** Elements the LMS owns: a SCO's commit does not change them, and a resume does not load them from it. */
const LMS_OWNED =
  /^cmi\.(core\.(student_id|student_name|credit|lesson_mode|entry|total_time)|student_data\.|launch_data|learner_id|learner_name|credit|mode|entry|total_time|scaled_passing_score|completion_threshold)/;

/** The learner's run in progress, ready to play: each SCO with the data to resume it from. */
export async function packageLaunch(viewer: Viewer, attemptId: string): Promise<PackageLaunch> {
  const db = await getDb();
  const [run] = await db
    .select()
    .from(quizAttempts)
    .where(and(eq(quizAttempts.id, attemptId), eq(quizAttempts.personId, viewer.id), eq(quizAttempts.kind, "package")));
  if (!run) throw new NotFoundError("That course run does not exist.");
  if (run.status !== "in_progress") throw new DomainError("run_over", "This run of the course is over.", 409);
  const pkg = await packageOfVersion(db, run.courseId, run.courseVersion);
  const course = await courseAtVersion(db, run.courseId, run.courseVersion);
  const kept = new Map(
    (await db.select().from(scormScoData).where(eq(scormScoData.attemptId, run.id))).map((r) => [r.sco, r]),
  );
  return {
    attemptId: run.id,
    courseId: run.courseId,
    courseTitle: course?.title ?? pkg.title,
    scormVersion: pkg.version,
    scos: pkg.manifest.launchable.map((item) => {
      const row = kept.get(item.identifier);
      const stored = (row?.cmi ?? null) as CmiValues | null;
      return {
        id: item.identifier,
        title: item.title,
        url: scoUrl(pkg.sha256, item),
        cmi: launchCmi(pkg, item, viewer, stored, row?.totalSeconds ?? 0),
        outcome: scoOutcome(pkg.version, stored ?? {}, item),
      };
    }),
  };
}

/** Seconds in a SCORM 1.2 session time (HHHH:MM:SS.SS) or a SCORM 2004 one (ISO 8601, e.g. PT1H2M3.5S); 0 when unreadable. */
export function sessionSeconds(value: string | undefined): number {
  if (!value) return 0;
  const clock = value.match(/^(\d{1,4}):([0-5]?\d):([0-5]?\d)(\.\d{1,2})?$/);
  if (clock) return Number(clock[1]) * 3600 + Number(clock[2]) * 60 + Number(clock[3]);
  const iso = value.match(/^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/);
  if (!iso || value === "P" || value.endsWith("T")) return 0;
  const [, y, mo, d, h, mi, s] = iso.map((x) => Number(x ?? 0));
  return Math.round(((y * 365 + mo * 30 + d) * 24 + h) * 3600 + mi * 60 + s);
}

/**
 * Keeps what a SCO committed and applies the package's rules to the whole
 * run. A run that certifies is passed at once, with its certification; one
 * in which a SCO reports failed ends as failed when that SCO's session ends
 * (`terminate`). Commits to a run already over change nothing and get its
 * result. The attempt's row lock serialises concurrent commits, so a burst
 * of them issues one certification.
 */
export async function commitSco(
  viewer: Viewer,
  context: AuditContext,
  input: { attemptId: string; sco: string; values: Record<string, string>; terminate: boolean },
  now = new Date(),
): Promise<RunResult> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [run] = await tx
      .select()
      .from(quizAttempts)
      .where(
        and(
          eq(quizAttempts.id, input.attemptId),
          eq(quizAttempts.personId, viewer.id),
          eq(quizAttempts.kind, "package"),
        ),
      )
      .for("update");
    if (!run) throw new NotFoundError("That course run does not exist.");
    if (run.status === "submitted") return resultOf(tx, run);
    const pkg = await packageOfVersion(tx, run.courseId, run.courseVersion);
    const item = pkg.manifest.launchable.find((i) => i.identifier === input.sco);
    if (!item) throw new DomainError("unknown_sco", "The package has no such SCO.", 400);
    const [prior] = await tx
      .select()
      .from(scormScoData)
      .where(and(eq(scormScoData.attemptId, run.id), eq(scormScoData.sco, item.identifier)));
    const values = Object.fromEntries(Object.entries(input.values).filter(([k]) => !LMS_OWNED.test(k)));
    const session = input.terminate ? sessionSeconds(values["cmi.core.session_time"] ?? values["cmi.session_time"]) : 0;
    const totalSeconds = Math.min(2_000_000_000, (prior?.totalSeconds ?? 0) + session);
    await tx
      .insert(scormScoData)
      .values({ attemptId: run.id, sco: item.identifier, cmi: values, totalSeconds, commits: 1, updatedAt: now })
      .onConflictDoUpdate({
        target: [scormScoData.attemptId, scormScoData.sco],
        set: { cmi: values, totalSeconds, commits: (prior?.commits ?? 0) + 1, updatedAt: now },
      });
    const scoRows = await tx.select().from(scormScoData).where(eq(scormScoData.attemptId, run.id));
    const kept = new Map(scoRows.map((r) => [r.sco, r.cmi as CmiValues]));
    const outcomes = pkg.manifest.launchable.map((i) => scoOutcome(pkg.version, kept.get(i.identifier) ?? {}, i));
    const result = packageOutcome(outcomes);
    const thisFailed = scoOutcome(pkg.version, values, item).success === "failed";
    if (!result.certifies && !(result.failed && input.terminate && thisFailed))
      return {
        status: "in_progress",
        certificationId: null,
        scorePercent: null,
        ...(input.terminate ? { resume: launchCmi(pkg, item, viewer, values, totalSeconds) } : {}),
      };

    const passed = result.certifies;
    const scorePercent = result.score === null ? null : Math.round(result.score * 100);
    await tx
      .update(quizAttempts)
      .set({ status: "submitted", passed, scorePercent, submittedAt: now })
      .where(eq(quizAttempts.id, run.id));
    await recordAudit(
      tx,
      context,
      {
        action: "attempt.package_ended",
        targetType: "quiz_attempt",
        targetId: run.id,
        data: {
          courseId: run.courseId,
          courseVersion: run.courseVersion,
          scorePercent,
          passed,
          package: pkg.sha256,
        },
      },
      now,
    );
    await queueAttemptGraded(tx, {
      attempt: run,
      email: viewer.email,
      passed,
      scorePercent,
      seconds: scoRows.reduce((sum, r) => sum + r.totalSeconds, 0),
      at: now,
    });
    const cert = passed ? await issueCertification(tx, context, run, now) : null;
    return { status: passed ? "passed" : "failed", certificationId: cert?.id ?? null, scorePercent };
  });
}

async function resultOf(
  db: Executor,
  run: { id: string; passed: boolean | null; scorePercent: number | null },
): Promise<RunResult> {
  const [cert] = await db
    .select({ id: certifications.id })
    .from(certifications)
    .where(eq(certifications.attemptId, run.id));
  return {
    status: run.passed ? "passed" : "failed",
    certificationId: cert?.id ?? null,
    scorePercent: run.scorePercent,
  };
}
