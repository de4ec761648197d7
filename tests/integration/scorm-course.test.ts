import { and, eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";

import type { Db } from "@/db/client";
import { assignments, auditEvents, certifications, quizAttempts, scormPackages, scormScoData } from "@/db/schema";
import { getCourse } from "@/lib/content";
import { attachPackage, createItem, submitDraft } from "@/lib/content/authoring";
import type { ItemRef } from "@/lib/content/item-files";
import { getVersion, itemVersions } from "@/lib/content/versions";
import { DomainError, NotFoundError } from "@/lib/errors";
import { collectMyData } from "@/lib/privacy/my-data";
import { zip } from "@/lib/privacy/zip";
import { commitSchema, commitSco, packageLaunch, sessionSeconds, startPackageRun } from "@/lib/scorm/runs";
import { findPackage, packageFile } from "@/lib/scorm/store";
import { syncAssignments } from "@/lib/training/assignments";
import { attemptHistory, quizAllowance, startAttempt } from "@/lib/training/attempts";
import { learnerOverview } from "@/lib/training/learner-overview";

import { context, createPerson, viewerOf } from "../helpers/factories";
import { resetToShippedContent } from "../helpers/own-content";
import { cleanDeskPackage, cmi12, cmi2004, twoScoPackage, type ScormEdition } from "../helpers/scorm-fixtures";
import { withTestDatabase } from "../helpers/test-database";

/**
 * A course that plays a SCORM package: uploaded into a course's draft,
 * published, played by a learner who leaves and resumes, and certified by the
 * package's reported result under its manifest's rules, exactly once however
 * many commits arrive together.
 */

const database = withTestDatabase();

afterEach(() => resetToShippedContent(database.db()));

async function admin(db: Db) {
  const person = await createPerson(db, { name: "Content Admin", roles: ["compliance_admin"] });
  return { viewer: viewerOf(person), ctx: context(person.id) };
}

async function draftOf(db: Db, ref: ItemRef) {
  const { viewer } = await admin(db);
  const open = (await itemVersions(db, viewer, ref)).find((v) => v.state === "draft")!;
  return getVersion(db, viewer, open.id);
}

/** A new course, made to play `archive`, published. */
async function publishPackageCourse(db: Db, id: string, archive: Buffer) {
  const author = await admin(db);
  const ref: ItemRef = { kind: "course", id };
  await createItem(db, author.viewer, author.ctx, ref, "Clean desk");
  const stored = await attachPackage(db, author.viewer, ref, archive);
  const draft = await draftOf(db, ref);
  const result = await submitDraft(db, author.viewer, author.ctx, { draftId: draft.id, change: "major" });
  expect(result.state).toBe("published");
  return stored;
}

async function learner(db: Db, name = "Pat Learner") {
  const person = await createPerson(db, { name });
  return { person, viewer: viewerOf(person), ctx: context(person.id) };
}

describe("uploading a SCORM package into a course's draft", () => {
  it("keeps the package by its SHA-256, names it in course.yaml and replaces the draft's lessons and quiz", async () => {
    const db = database.db();
    const author = await admin(db);
    const ref: ItemRef = { kind: "course", id: "clean-desk" };
    await createItem(db, author.viewer, author.ctx, ref, "Clean desk");
    expect(Object.keys((await draftOf(db, ref)).files).some((p) => p.includes("/lessons/"))).toBe(true);

    const archive = cleanDeskPackage("1.2");
    const stored = await attachPackage(db, author.viewer, ref, archive);
    expect(stored).toMatchObject({ version: "1.2", title: "Clean desk", fileCount: 4 });
    expect(stored.sha256).toMatch(/^[0-9a-f]{64}$/);
    const files = (await draftOf(db, ref)).files;
    expect(Object.keys(files)).toEqual(["courses/clean-desk/course.yaml"]);
    expect(files["courses/clean-desk/course.yaml"]).toContain(`package: ${stored.sha256}`);
    const script = await packageFile(db, stored.sha256, "scripts/sco.js");
    expect(script?.contentType).toBe("text/javascript; charset=utf-8");
    expect(script?.bytes.toString()).toContain("API_1484_11");

    // The same ZIP again is the same package.
    await attachPackage(db, author.viewer, ref, archive);
    const [{ count }] = await db
      .select({ count: sql<number>`count(*)::int` })
      .from(scormPackages)
      .where(eq(scormPackages.sha256, stored.sha256));
    expect(count).toBe(1);
  });

  it("refuses what is not a playable package, keeping nothing and changing nothing in the draft", async () => {
    const db = database.db();
    const author = await admin(db);
    const ref: ItemRef = { kind: "course", id: "clean-desk" };
    await createItem(db, author.viewer, author.ctx, ref, "Clean desk");
    const before = (await draftOf(db, ref)).files;
    const packages = async () => (await db.select({ count: sql<number>`count(*)::int` }).from(scormPackages))[0].count;
    const kept = await packages();
    const refused = async (archive: Buffer) => {
      try {
        await attachPackage(db, author.viewer, ref, archive);
      } catch (error) {
        if (error instanceof DomainError) return { code: error.code, status: error.status };
        throw error;
      }
      throw new Error("the package was accepted");
    };
    expect(await refused(Buffer.from("not a zip at all"))).toEqual({ code: "package_unreadable", status: 422 });
    expect(await refused(zip([{ name: "../evil.html", data: "x" }]))).toEqual({ code: "unsafe_path", status: 422 });
    expect(await refused(zip([{ name: "course/imsmanifest.xml", data: "<manifest/>" }]))).toEqual({
      code: "manifest_missing",
      status: 422,
    });
    expect((await draftOf(db, ref)).files).toEqual(before);
    expect(await packages()).toBe(kept);

    await expect(
      attachPackage(db, author.viewer, { kind: "agreement", id: "employee-nda" }, cleanDeskPackage("1.2")),
    ).rejects.toMatchObject({
      code: "not_course",
    });
    const learnerViewer = (await learner(db)).viewer;
    await expect(attachPackage(db, learnerViewer, ref, cleanDeskPackage("1.2"))).rejects.toThrow();
  });
});

describe("a learner's run of a SCORM 1.2 course", () => {
  it("resumes where they left off, then certifies on the package's pass, once", async () => {
    const db = database.db();
    const stored = await publishPackageCourse(db, "clean-desk", cleanDeskPackage("1.2"));
    expect(getCourse("clean-desk")).toMatchObject({ package: stored.sha256, lessons: [], questions: [] });
    const { person, viewer, ctx } = await learner(db);
    await syncAssignments(db, { personIds: [person.id] });
    await expect(startAttempt(viewer, "clean-desk")).rejects.toMatchObject({ code: "package_course" });

    const { attemptId } = await startPackageRun(viewer, "clean-desk");
    // A second tab gets the same run.
    expect((await startPackageRun(viewer, "clean-desk")).attemptId).toBe(attemptId);
    const first = await packageLaunch(viewer, attemptId);
    expect(first.scormVersion).toBe("1.2");
    expect(first.scos).toHaveLength(1);
    expect(first.scos[0]).toMatchObject({
      id: "desk",
      url: `/scorm/${stored.sha256}/index.html`,
      cmi: {
        "cmi.core.entry": "ab-initio",
        "cmi.core.student_id": person.id,
        "cmi.core.student_name": "Learner, Pat",
        "cmi.core.credit": "credit",
        "cmi.student_data.mastery_score": "80",
        "cmi.core.total_time": "0000:00:00",
      },
    });

    // Leaves part-way: the answer and place are kept, and the session's time counted.
    const suspended = await commitSco(viewer, ctx, {
      attemptId,
      sco: "desk",
      values: cmi12({
        "cmi.suspend_data": "right",
        "cmi.core.lesson_location": "question-1",
        "cmi.core.exit": "suspend",
        "cmi.core.session_time": "00:01:30",
        // What the LMS owns is not the SCO's to change.
        "cmi.core.student_id": "someone-else",
        "cmi.core.total_time": "9999:00:00",
      }),
      terminate: true,
    });
    expect(suspended).toMatchObject({ status: "in_progress", certificationId: null, scorePercent: null });
    expect((await learnerOverview(viewer)).find((i) => i.course.id === "clean-desk")?.state).toBe("in_progress");
    const resumed = (await packageLaunch(viewer, attemptId)).scos[0].cmi;
    // The end of the session answers with what the SCO starts from next time, for a player that does not reload.
    expect(suspended.resume).toEqual(resumed);
    expect(resumed).toMatchObject({
      "cmi.core.entry": "resume",
      "cmi.suspend_data": "right",
      "cmi.core.lesson_location": "question-1",
      "cmi.core.student_id": person.id,
      "cmi.core.total_time": "0000:01:30",
    });

    // A score under the mastery score fails even though the SCO says "completed"; it is not over until the session ends.
    const low = await commitSco(viewer, ctx, {
      attemptId,
      sco: "desk",
      values: cmi12({ "cmi.core.lesson_status": "completed", "cmi.core.score.raw": "60" }),
      terminate: false,
    });
    expect(low.status).toBe("in_progress");

    // Passing: 30 commits at once (autocommit, Commit and Terminate racing) issue one certification.
    const passing = cmi12({
      "cmi.core.lesson_status": "completed",
      "cmi.core.score.raw": "90",
      "cmi.core.session_time": "00:02:00",
    });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        commitSco(viewer, ctx, { attemptId, sco: "desk", values: passing, terminate: i % 2 === 0 }),
      ),
    );
    expect(new Set(results.map((r) => r.status))).toEqual(new Set(["passed"]));
    expect(new Set(results.map((r) => r.certificationId)).size).toBe(1);
    const certs = await db.select().from(certifications).where(eq(certifications.personId, person.id));
    expect(certs).toHaveLength(1);
    expect(certs[0]).toMatchObject({
      courseId: "clean-desk",
      attemptId,
      courseVersion: getCourse("clean-desk")!.version,
    });
    const [run] = await db.select().from(quizAttempts).where(eq(quizAttempts.id, attemptId));
    expect(run).toMatchObject({ kind: "package", status: "submitted", passed: true, scorePercent: 90 });
    const [assignment] = await db
      .select()
      .from(assignments)
      .where(and(eq(assignments.personId, person.id), eq(assignments.courseId, "clean-desk")));
    expect(assignment.completedAt).not.toBeNull();
    const events = await db
      .select({ action: auditEvents.action, data: auditEvents.data })
      .from(auditEvents)
      .where(eq(auditEvents.actorId, person.id));
    expect(events.filter((e) => e.action === "attempt.package_ended")).toEqual([
      {
        action: "attempt.package_ended",
        data: {
          courseId: "clean-desk",
          courseVersion: run.courseVersion,
          package: stored.sha256,
          scorePercent: 90,
          passed: true,
        },
      },
    ]);
    expect(events.filter((e) => e.action === "certification.issued")).toHaveLength(1);

    // The run is over: a late commit changes nothing, and the player is not offered it again.
    const late = await commitSco(viewer, ctx, { attemptId, sco: "desk", values: cmi12({}), terminate: true });
    expect(late).toMatchObject({ status: "passed", certificationId: certs[0].id });
    await expect(packageLaunch(viewer, attemptId)).rejects.toMatchObject({ code: "run_over" });
    expect((await attemptHistory(person.id, "clean-desk"))[0]).toMatchObject({ kind: "package", passed: true });

    // The learner's own data export holds what the package kept of them.
    const mine = await collectMyData(viewer);
    const runs = mine.groups.find((g) => g.id === "quiz-attempts")!.records as {
      id: string;
      scormRunTimeData?: { sco: string; cmi: Record<string, string> }[];
    }[];
    const kept = runs.find((r) => r.id === attemptId)!.scormRunTimeData!;
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ sco: "desk", cmi: { "cmi.core.score.raw": "90" } });
  });

  it("keeps another person, an unknown SCO and a quiz attempt out", async () => {
    const db = database.db();
    await publishPackageCourse(db, "clean-desk", cleanDeskPackage("1.2"));
    const owner = await learner(db);
    const other = await learner(db, "Sam Other");
    const { attemptId } = await startPackageRun(owner.viewer, "clean-desk");
    const passing = cmi12({ "cmi.core.lesson_status": "passed" });
    await expect(
      commitSco(other.viewer, other.ctx, { attemptId, sco: "desk", values: passing, terminate: true }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(packageLaunch(other.viewer, attemptId)).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      commitSco(owner.viewer, owner.ctx, { attemptId, sco: "elsewhere", values: passing, terminate: true }),
    ).rejects.toMatchObject({
      code: "unknown_sco",
    });
    const rows = await db.select().from(scormScoData).where(eq(scormScoData.attemptId, attemptId));
    expect(rows).toEqual([]);
    expect(await db.select().from(certifications).where(eq(certifications.personId, other.person.id))).toEqual([]);
  });
});

describe("a learner's run of a package of several SCOs", () => {
  it("lists every SCO to play, and certifies only when each one is passed", async () => {
    const db = database.db();
    const stored = await publishPackageCourse(db, "clean-desk", twoScoPackage());
    const { person, viewer, ctx } = await learner(db);
    const { attemptId } = await startPackageRun(viewer, "clean-desk");
    const launch = await packageLaunch(viewer, attemptId);
    expect(launch.scos.map((s) => [s.id, s.url])).toEqual([
      ["desk", `/scorm/${stored.sha256}/desk/index.html`],
      ["screen", `/scorm/${stored.sha256}/screen/index.html`],
    ]);
    const passed = cmi12({ "cmi.core.lesson_status": "completed", "cmi.core.score.raw": "90" });
    // One SCO passed, the other not yet played: the run goes on.
    expect(await commitSco(viewer, ctx, { attemptId, sco: "desk", values: passed, terminate: true })).toMatchObject({
      status: "in_progress",
      certificationId: null,
    });
    // The second SCO below its mastery score: still not over.
    const low = cmi12({ "cmi.core.lesson_status": "completed", "cmi.core.score.raw": "50" });
    expect((await commitSco(viewer, ctx, { attemptId, sco: "screen", values: low, terminate: false })).status).toBe(
      "in_progress",
    );
    const done = await commitSco(viewer, ctx, { attemptId, sco: "screen", values: passed, terminate: true });
    expect(done).toMatchObject({ status: "passed", scorePercent: 90 });
    const certs = await db.select().from(certifications).where(eq(certifications.personId, person.id));
    expect(certs.map((c) => c.id)).toEqual([done.certificationId]);
  });
});

describe("a learner's run of a SCORM 2004 course", () => {
  it("ends failed when the package reports failed at the end of a session, and counts as an attempt", async () => {
    const db = database.db();
    await publishPackageCourse(
      db,
      "records-basics",
      cleanDeskPackage("2004 4th Edition" as ScormEdition, { salt: "2004" }),
    );
    const { person, viewer, ctx } = await learner(db);
    const { attemptId } = await startPackageRun(viewer, "records-basics");
    const launch = await packageLaunch(viewer, attemptId);
    expect(launch.scormVersion).toBe("2004 4th Edition");
    expect(launch.scos[0].cmi).toMatchObject({
      "cmi.entry": "ab-initio",
      "cmi.scaled_passing_score": "0.8",
      "cmi.learner_name": "Pat Learner",
    });

    // The scaled passing score decides, whatever the SCO claims.
    const claimed = cmi2004({
      "cmi.completion_status": "completed",
      "cmi.success_status": "passed",
      "cmi.score.scaled": "0.5",
    });
    expect((await commitSco(viewer, ctx, { attemptId, sco: "desk", values: claimed, terminate: false })).status).toBe(
      "in_progress",
    );
    const failed = await commitSco(viewer, ctx, {
      attemptId,
      sco: "desk",
      values: { ...claimed, "cmi.session_time": "PT2M" },
      terminate: true,
    });
    expect(failed).toEqual({ status: "failed", certificationId: null, scorePercent: 50 });
    expect(await db.select().from(certifications).where(eq(certifications.personId, person.id))).toEqual([]);
    const allowance = await quizAllowance(person.id, "records-basics");
    expect(allowance.allowed).toBe(true);

    // The next run starts afresh and passes.
    const next = await startPackageRun(viewer, "records-basics");
    expect(next.attemptId).not.toBe(attemptId);
    expect((await packageLaunch(viewer, next.attemptId)).scos[0].cmi["cmi.entry"]).toBe("ab-initio");
    const passed = await commitSco(viewer, ctx, {
      attemptId: next.attemptId,
      sco: "desk",
      values: cmi2004({ "cmi.completion_status": "completed", "cmi.score.scaled": "0.9" }),
      terminate: false,
    });
    expect(passed).toMatchObject({ status: "passed", scorePercent: 90 });
    expect(passed.certificationId).not.toBeNull();
  });
});

describe("what a SCO may commit", () => {
  it("is run-time data elements with text values; empty collections are left out", () => {
    expect(commitSchema.parse({ "cmi.suspend_data": "a", "cmi.core.score.raw": 90, "cmi.objectives": {} })).toEqual({
      "cmi.suspend_data": "a",
      "cmi.core.score.raw": "90",
    });
    expect(commitSchema.safeParse({ "__proto__.x": "1" }).success).toBe(false);
    expect(commitSchema.safeParse({ "cmi.suspend_data": { nested: "x" } }).success).toBe(false);
    expect(commitSchema.safeParse({ "adl.nav.request": "continue" }).success).toBe(false);
  });

  it("reads session times of both versions", () => {
    expect(sessionSeconds("00:01:30")).toBe(90);
    expect(sessionSeconds("0001:00:00.50")).toBe(3600);
    expect(sessionSeconds("PT1H2M3.4S")).toBe(3723);
    expect(sessionSeconds("PT")).toBe(0);
    expect(sessionSeconds("soon")).toBe(0);
  });

  it("finds the stored package of a published course", async () => {
    const db = database.db();
    const stored = await publishPackageCourse(db, "clean-desk", cleanDeskPackage("1.2"));
    expect((await findPackage(db, stored.sha256))?.manifest.launchable.map((i) => i.identifier)).toEqual(["desk"]);
  });
});
