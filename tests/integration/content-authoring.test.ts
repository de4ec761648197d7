import { and, eq, gt, inArray } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import YAML from "yaml";

import { assignments, auditEvents, contentVersions, courseReleases } from "@/db/schema";
import { checkAccess } from "@/lib/access/check";
import { getAgreementTemplate, getContent, getCourse, serveOwnContent } from "@/lib/content";
import {
  approveDraft,
  checkDraftFiles,
  createItem,
  openDraft,
  saveDraft,
  submitDraft,
  type ContentInvalidError,
} from "@/lib/content/authoring";
import { checkItemPaths, MAX_ITEM_BYTES, type ItemFiles, type ItemRef } from "@/lib/content/item-files";
import { refreshContent } from "@/lib/content/published";
import { getVersion, itemVersions, listItems, shippedItemFiles } from "@/lib/content/versions";
import { DomainError, ForbiddenError } from "@/lib/errors";
import { DAY } from "@/lib/time";
import { recordLoadedCourseReleases } from "@/lib/training/course-releases";

import { grantRole, satisfyRole } from "../helpers/access-fixtures";
import { context, createPerson, viewerOf } from "../helpers/factories";
import { resetToShippedContent } from "../helpers/own-content";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();

const NDA: ItemRef = { kind: "agreement", id: "employee-nda" };
const NDA_FILE = "agreements/employee-nda.md";
const COURSE: ItemRef = { kind: "course", id: "data-protection-law" };
const QUESTIONS_FILE = "courses/data-protection-law/questions.yaml";
const ROLE = "customer-pii-read"; // requires data-protection-law and employee-nda (content/access-roles.yaml)

const SHIPPED_NDA_VERSION = getAgreementTemplate("employee-nda")!.version;
const SHIPPED_NDA_BODY = getAgreementTemplate("employee-nda")!.body;
const SHIPPED_COURSE_VERSION = getCourse("data-protection-law")!.version;

// Every test starts from the shipped catalogue.
afterEach(() => resetToShippedContent(database.db()));

async function complianceAdmin(name = "Compliance Admin") {
  const person = await createPerson(database.db(), { name, roles: ["compliance_admin"] });
  return { person, viewer: viewerOf(person), ctx: context(person.id) };
}

async function auditMark(): Promise<number> {
  const rows = await database.db().select({ id: auditEvents.id }).from(auditEvents);
  return rows.reduce((max, r) => Math.max(max, Number(r.id)), 0);
}

async function auditSince(mark: number, itemId: string) {
  return database
    .db()
    .select()
    .from(auditEvents)
    .where(and(gt(auditEvents.id, mark), eq(auditEvents.targetId, itemId)))
    .orderBy(auditEvents.id);
}

async function publishedRows(ref: ItemRef) {
  return database
    .db()
    .select()
    .from(contentVersions)
    .where(
      and(
        eq(contentVersions.kind, ref.kind),
        eq(contentVersions.itemId, ref.id),
        eq(contentVersions.state, "published"),
      ),
    );
}

/** The NDA with one clause added to its body. */
function withClause(files: ItemFiles, clause: string): ItemFiles {
  return { ...files, [NDA_FILE]: `${files[NDA_FILE].trimEnd()}\n\n## Added clause\n\n${clause}\n` };
}

/** The version line of an item's main file replaced, for comparing versions' files. */
function versionLineAs(files: ItemFiles, version: string): ItemFiles {
  return Object.fromEntries(
    Object.entries(files).map(([rel, text]) => [rel, text.replace(/^version: .*$/m, `version: ${version}`)]),
  );
}

type Admin = Awaited<ReturnType<typeof complianceAdmin>>;

/** Opens a draft, saves `edit` of its files, submits it and has `approver` approve it when approval is needed. */
async function publishEdit(
  author: Admin,
  approver: Admin,
  ref: ItemRef,
  change: "major" | "minor",
  edit: (files: ItemFiles) => ItemFiles,
  source: Parameters<typeof openDraft>[4] = { from: "current" },
  now?: Date,
) {
  const db = database.db();
  const { id } = await openDraft(db, author.viewer, author.ctx, ref, source, now);
  const draft = await getVersion(db, author.viewer, id);
  const saved = await saveDraft(
    db,
    author.viewer,
    { draftId: id, files: edit(draft.files), expectedUpdatedAt: draft.updatedAt },
    now && new Date(now.getTime() + 1),
  );
  expect(saved.problems).toEqual([]);
  const submitted = await submitDraft(db, author.viewer, author.ctx, { draftId: id, change }, now);
  if (submitted.state === "published") return { id, version: submitted.version! };
  const { version } = await approveDraft(db, approver.viewer, approver.ctx, id, now);
  return { id, version };
}

function singleQuestion(n: number) {
  // Every word but the frame is this question's own, so no two prompts are near-duplicates.
  return {
    id: `our-systems-q${n}`,
    type: "single",
    kind: "scenario",
    prompt: `In situation s${n}a, colleague s${n}b asks you about export s${n}c and drive s${n}d. What do you do?`,
    options: [
      { id: "a", text: `Decline, point to share s${n}e`, correct: true },
      { id: "b", text: `Copy it, since the request came from a colleague on case s${n}f` },
      { id: "c", text: `Copy it once ticket s${n}g is closed` },
    ],
    explanation: `Exports stay on approved systems (case ${n}).`,
  };
}

function trueFalseQuestion(n: number) {
  return {
    id: `our-systems-tf${n}`,
    type: "true_false",
    kind: "recall",
    prompt: `Rule r${n}a says records r${n}b stay within system r${n}c.`,
    answer: n % 2 === 0,
    explanation: `Rule ${n} as written in the handbook.`,
  };
}

/** A bank that meets the bar of npm run content:check: 30 questions, two thirds scenarios, true/false balanced. */
const passingBank = () => [
  ...Array.from({ length: 20 }, (_, i) => singleQuestion(i + 1)),
  ...Array.from({ length: 10 }, (_, i) => trueFalseQuestion(i + 1)),
];

describe("content authoring", () => {
  it("a copied agreement is edited, submitted, approved by a second compliance admin and served", async () => {
    const db = database.db();
    const author = await complianceAdmin("Ada Author");
    const approver = await complianceAdmin("Rita Reviewer");
    const mark = await auditMark();

    const opened = await openDraft(db, author.viewer, author.ctx, NDA, { from: "current" });
    expect(opened.created).toBe(true);
    const draft = await getVersion(db, author.viewer, opened.id);
    expect(draft.state).toBe("draft");
    expect(draft.files).toEqual(shippedItemFiles(NDA));
    expect(draft.builtinVersion).toBe(SHIPPED_NDA_VERSION);

    const edited = withClause(draft.files, "You return every company laptop on your last day.");
    const saved = await saveDraft(db, author.viewer, {
      draftId: opened.id,
      files: edited,
      expectedUpdatedAt: draft.updatedAt,
    });
    expect(saved.problems).toEqual([]);

    const submitted = await submitDraft(db, author.viewer, author.ctx, { draftId: opened.id, change: "minor" });
    expect(submitted).toEqual({ state: "in_review" });
    expect((await getVersion(db, author.viewer, opened.id)).state).toBe("in_review");
    // Waiting for approval, nothing is served yet.
    expect(getAgreementTemplate("employee-nda")!.body).toBe(SHIPPED_NDA_BODY);

    await expect(approveDraft(db, author.viewer, author.ctx, opened.id)).rejects.toMatchObject({
      code: "same_person",
      status: 403,
    });
    expect(await publishedRows(NDA)).toHaveLength(0);

    const [major, minor] = SHIPPED_NDA_VERSION.split(".").map(Number);
    const { version } = await approveDraft(db, approver.viewer, approver.ctx, opened.id);
    expect(version).toBe(`${major}.${minor + 1}.0`);

    const row = await getVersion(db, author.viewer, opened.id);
    expect(row).toMatchObject({
      state: "published",
      version,
      change: "minor",
      submittedBy: author.person.id,
      approvedBy: approver.person.id,
      publishedBy: approver.person.id,
    });
    // What is published is what was submitted, with only its version line changed.
    expect(row.files).toEqual(versionLineAs(edited, version));

    const served = getAgreementTemplate("employee-nda")!;
    expect(served.version).toBe(version);
    expect(served.body).toContain("You return every company laptop on your last day.");
    expect(served.body.startsWith(SHIPPED_NDA_BODY)).toBe(true);

    const events = await auditSince(mark, "employee-nda");
    expect(events.map((e) => e.action)).toEqual(["content.draft_opened", "content.submitted", "content.published"]);
    expect(events.map((e) => e.actorId)).toEqual([author.person.id, author.person.id, approver.person.id]);
    expect(events[2].data).toMatchObject({
      kind: "agreement",
      itemId: "employee-nda",
      version,
      change: "minor",
      submittedBy: author.person.id,
      approvedBy: approver.person.id,
    });
  });

  it("a major agreement version must be signed again before access is allowed; a minor one need not", async () => {
    const db = database.db();
    const author = await complianceAdmin();
    const approver = await complianceAdmin();
    const person = await createPerson(db);
    const signedAt = new Date(Date.now() - DAY);
    await satisfyRole(db, person.id, ROLE, signedAt); // signs the shipped NDA
    await grantRole(db, person.id, ROLE, signedAt);
    const decide = async () => (await checkAccess(db, null, [{ user: person.id, role: ROLE }]))[0].decision;
    expect(await decide()).toMatchObject({ allow: true, reasons: [] });

    const minor = await publishEdit(author, approver, NDA, "minor", (f) => withClause(f, "A clarification."));
    expect(minor.version).toBe("1.2.0");
    expect(await decide()).toMatchObject({ allow: true, reasons: [] });

    const major = await publishEdit(author, approver, NDA, "major", (f) => withClause(f, "A new obligation."));
    expect(major.version).toBe(`${Number(SHIPPED_NDA_VERSION.split(".")[0]) + 1}.0.0`);
    expect(await decide()).toEqual({ allow: false, reasons: ["agreement_outdated:employee-nda"], valid_until: null });

    // An instance that has not reloaded its content yet still decides from the published version.
    serveOwnContent("shipped", new Map());
    expect(await decide()).toEqual({ allow: false, reasons: ["agreement_outdated:employee-nda"], valid_until: null });
    expect(getAgreementTemplate("employee-nda")!.version).toBe(major.version);
  });

  it("a minor course version changes nothing for the certified; a major one supersedes them after its grace period", async () => {
    const db = database.db();
    const author = await complianceAdmin();
    const t0 = new Date(Date.now() - 3 * DAY);
    const person = await createPerson(db);
    await recordLoadedCourseReleases(db, new Date(t0.getTime() - 400 * DAY)); // the shipped majors, released long ago
    await satisfyRole(db, person.id, ROLE, t0);
    await grantRole(db, person.id, ROLE, t0);
    const decide = async (at: Date) => (await checkAccess(db, null, [{ user: person.id, role: ROLE }], at))[0].decision;
    const releasesOf = () => db.select().from(courseReleases).where(eq(courseReleases.courseId, COURSE.id));
    const before = await releasesOf();
    expect(before).toHaveLength(1);

    // Courses need no approval by default: submitting publishes.
    const t1 = new Date(t0.getTime() + DAY);
    const minor = await publishEdit(author, author, COURSE, "minor", (f) => f, { from: "current" }, t1);
    const [major1, minor1] = SHIPPED_COURSE_VERSION.split(".").map(Number);
    expect(minor.version).toBe(`${major1}.${minor1 + 1}.0`);
    expect(getCourse(COURSE.id)!.version).toBe(minor.version);
    const minorFiles = (await getVersion(db, author.viewer, minor.id)).files;
    expect(minorFiles).toEqual(versionLineAs(shippedItemFiles(COURSE), minor.version));
    expect(await releasesOf()).toEqual(before);
    expect((await decide(new Date(t1.getTime() + 60 * 60 * 1000)))?.allow).toBe(true);

    const t2 = new Date(t0.getTime() + 2 * DAY);
    const major = await publishEdit(author, author, COURSE, "major", (f) => f, { from: "current" }, t2);
    expect(major.version).toBe(`${major1 + 1}.0.0`);
    const [release] = await db
      .select()
      .from(courseReleases)
      .where(and(eq(courseReleases.courseId, COURSE.id), eq(courseReleases.major, major1 + 1)));
    expect(release).toMatchObject({ version: major.version, releasedAt: t2 });
    expect(await releasesOf()).toHaveLength(2);
    const graceDays = getCourse(COURSE.id)!.graceDays;
    // The certified are assigned the new version at once, due when the grace period ends; the minor one assigned nobody.
    const assigned = await db
      .select()
      .from(assignments)
      .where(and(eq(assignments.personId, person.id), eq(assignments.courseId, COURSE.id)));
    expect(assigned).toEqual([
      expect.objectContaining({
        source: "major_version",
        dueAt: new Date(t2.getTime() + graceDays * DAY),
        completedAt: null,
      }),
    ]);

    const during = await decide(new Date(t2.getTime() + (graceDays - 1) * DAY));
    expect(during).toMatchObject({ allow: true, valid_until: new Date(t2.getTime() + graceDays * DAY) });
    const after = await decide(new Date(t2.getTime() + (graceDays + 1) * DAY));
    expect(after).toEqual({ allow: false, reasons: [`course_superseded:${COURSE.id}`], valid_until: null });
  });

  it("invalid files are named when saved, refused when submitted, and never published", async () => {
    const db = database.db();
    const author = await complianceAdmin();
    const { id } = await openDraft(db, author.viewer, author.ctx, COURSE, { from: "current" });
    const draft = await getVersion(db, author.viewer, id);

    // A single-choice question with two correct options.
    const bank = YAML.parse(draft.files[QUESTIONS_FILE]) as { type: string; options?: { correct?: boolean }[] }[];
    const single = bank.findIndex((q) => q.type === "single");
    bank[single].options!.forEach((o, i) => i < 2 && (o.correct = true));
    const twoCorrect = { ...draft.files, [QUESTIONS_FILE]: YAML.stringify(bank) };
    const saved = await saveDraft(db, author.viewer, {
      draftId: id,
      files: twoCorrect,
      expectedUpdatedAt: draft.updatedAt,
    });
    // Named by file, field and line: the line where that question's options start in the file as saved.
    const problem = saved.problems.find((p) => p.field === `${single}.options`);
    expect(problem).toMatchObject({
      file: QUESTIONS_FILE,
      problem: "a single-choice question needs exactly one correct option",
    });
    const lines = twoCorrect[QUESTIONS_FILE].split("\n");
    expect(lines[problem!.line! - 1]).toMatch(/^\s+- id: /);
    expect(lines[problem!.line! - 2].trim()).toBe("options:");
    const error = await submitDraft(db, author.viewer, author.ctx, { draftId: id, change: "minor" }).catch((e) => e);
    expect(error).toMatchObject({ code: "content_invalid", status: 422 });
    expect((error as ContentInvalidError).problems.map((p) => p.file)).toContain(QUESTIONS_FILE);

    // YAML that does not parse.
    const brokenYaml = { ...draft.files, [QUESTIONS_FILE]: "- id: [unclosed\n  type: single\n" };
    const resaved = await saveDraft(
      db,
      author.viewer,
      { draftId: id, files: brokenYaml, expectedUpdatedAt: saved.updatedAt },
      new Date(saved.updatedAt.getTime() + 1),
    );
    expect(resaved.problems).toContainEqual(
      expect.objectContaining({ file: QUESTIONS_FILE, field: "(yaml)", line: expect.any(Number) }),
    );
    await expect(submitDraft(db, author.viewer, author.ctx, { draftId: id, change: "major" })).rejects.toMatchObject({
      code: "content_invalid",
      status: 422,
    });
    expect(await checkDraftFiles(db, author.viewer, COURSE, brokenYaml)).toEqual(resaved.problems);

    expect(await publishedRows(COURSE)).toHaveLength(0);
    expect((await getVersion(db, author.viewer, id)).state).toBe("draft");
    expect(getCourse(COURSE.id)!.version).toBe(SHIPPED_COURSE_VERSION);
    expect(await refreshContent(db)).toBe(false);

    // Paths outside the item are refused, whatever the content.
    for (const rel of [
      "../x",
      "courses/other/course.yaml",
      "agreements/x.md",
      "courses/data-protection-law/../x.yaml",
    ]) {
      expect(() => checkItemPaths(COURSE, { [rel]: "x" }), rel).toThrow(
        expect.objectContaining({ code: "invalid_path" }),
      );
    }
    expect(() => checkItemPaths(NDA, { "agreements/employee-nda.md.bak": "x" })).toThrow(
      expect.objectContaining({ code: "invalid_path" }),
    );
    await expect(
      saveDraft(db, author.viewer, {
        draftId: id,
        files: { ...draft.files, "agreements/employee-nda.md": "x" },
        expectedUpdatedAt: resaved.updatedAt,
      }),
    ).rejects.toMatchObject({ code: "invalid_path" });

    // So are oversized versions.
    const huge = { ...draft.files, [QUESTIONS_FILE]: "#".repeat(MAX_ITEM_BYTES + 1) };
    expect(() => checkItemPaths(COURSE, huge)).toThrow(expect.objectContaining({ code: "too_large" }));
    await expect(
      saveDraft(db, author.viewer, { draftId: id, files: huge, expectedUpdatedAt: resaved.updatedAt }),
    ).rejects.toMatchObject({ code: "too_large" });
    // Refused saves wrote nothing.
    expect((await getVersion(db, author.viewer, id)).files).toEqual(brokenYaml);
  });

  it("a version without the item's main file is refused instead of publishing nothing", async () => {
    const db = database.db();
    const author = await complianceAdmin();
    const { id } = await openDraft(db, author.viewer, author.ctx, NDA, { from: "current" });
    const draft = await getVersion(db, author.viewer, id);
    const saved = await saveDraft(db, author.viewer, { draftId: id, files: {}, expectedUpdatedAt: draft.updatedAt });
    expect(saved.problems).toContainEqual(expect.objectContaining({ file: NDA_FILE }));
    await expect(submitDraft(db, author.viewer, author.ctx, { draftId: id, change: "minor" })).rejects.toMatchObject({
      code: "content_invalid",
    });
    expect(await publishedRows(NDA)).toHaveLength(0);

    const course = await openDraft(db, author.viewer, author.ctx, COURSE, { from: "current" });
    const courseDraft = await getVersion(db, author.viewer, course.id);
    const courseSaved = await saveDraft(db, author.viewer, {
      draftId: course.id,
      files: {},
      expectedUpdatedAt: courseDraft.updatedAt,
    });
    expect(courseSaved.problems).toContainEqual(
      expect.objectContaining({ file: "courses/data-protection-law/course.yaml" }),
    );
    await expect(
      submitDraft(db, author.viewer, author.ctx, { draftId: course.id, change: "minor" }),
    ).rejects.toMatchObject({ code: "content_invalid" });
    expect(await publishedRows(COURSE)).toHaveLength(0);
  });

  it("20 editors opening the same item at once share one draft", async () => {
    const db = database.db();
    const admins = await Promise.all(Array.from({ length: 4 }, (_, i) => complianceAdmin(`Admin ${i}`)));
    const mark = await auditMark();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const a = admins[i % admins.length];
        return openDraft(db, a.viewer, a.ctx, NDA, { from: "current" });
      }),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const open = await db
      .select({ id: contentVersions.id })
      .from(contentVersions)
      .where(and(eq(contentVersions.itemId, NDA.id), inArray(contentVersions.state, ["draft", "in_review"])));
    expect(open).toEqual([{ id: results[0].id }]);
    expect((await auditSince(mark, NDA.id)).map((e) => e.action)).toEqual(["content.draft_opened"]);
  });

  it("two saves from the same loaded draft: one is written, the other is told it was edited elsewhere", async () => {
    const db = database.db();
    const first = await complianceAdmin();
    const second = await complianceAdmin();
    const { id } = await openDraft(db, first.viewer, first.ctx, NDA, { from: "current" });
    const draft = await getVersion(db, first.viewer, id);
    const later = new Date(draft.updatedAt.getTime() + 1000);
    const attempts = [first, second].map((a, i) =>
      saveDraft(
        db,
        a.viewer,
        { draftId: id, files: withClause(draft.files, `Edit by editor ${i}.`), expectedUpdatedAt: draft.updatedAt },
        new Date(later.getTime() + i),
      ),
    );
    const settled = await Promise.allSettled(attempts);
    const won = settled.filter((s) => s.status === "fulfilled");
    const lost = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0].reason).toMatchObject({ code: "edited_elsewhere", status: 409 });
    const winner = settled.findIndex((s) => s.status === "fulfilled");
    expect((await getVersion(db, first.viewer, id)).files[NDA_FILE]).toContain(`Edit by editor ${winner}.`);
  });

  it("10 approvals of one submission at once publish it once, under one version number", async () => {
    const db = database.db();
    const author = await complianceAdmin();
    const approvers = await Promise.all(Array.from({ length: 10 }, (_, i) => complianceAdmin(`Approver ${i}`)));
    const { id } = await openDraft(db, author.viewer, author.ctx, NDA, { from: "current" });
    const draft = await getVersion(db, author.viewer, id);
    await saveDraft(db, author.viewer, {
      draftId: id,
      files: withClause(draft.files, "Reviewed by many."),
      expectedUpdatedAt: draft.updatedAt,
    });
    expect(await submitDraft(db, author.viewer, author.ctx, { draftId: id, change: "minor" })).toEqual({
      state: "in_review",
    });
    const mark = await auditMark();

    const settled = await Promise.allSettled(approvers.map((a) => approveDraft(db, a.viewer, a.ctx, id)));
    const won = settled.filter((s): s is PromiseFulfilledResult<{ version: string }> => s.status === "fulfilled");
    const lost = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(9);
    for (const l of lost) {
      expect(l.reason).toBeInstanceOf(DomainError);
      expect(["edited_elsewhere", "not_open"]).toContain((l.reason as DomainError).code);
      expect((l.reason as DomainError).status).toBe(409);
    }
    const published = await publishedRows(NDA);
    expect(published.map((r) => r.version)).toEqual([won[0].value.version]);
    const events = await auditSince(mark, NDA.id);
    expect(events.map((e) => e.action)).toEqual(["content.published"]);
    expect(events[0].actorId).toBe(published[0].approvedBy);
    expect(getAgreementTemplate("employee-nda")!.version).toBe(won[0].value.version);
  });

  it("employees and auditors cannot author; auditors may read the list and the versions", async () => {
    const db = database.db();
    const admin = await complianceAdmin();
    const employee = await createPerson(db);
    const auditorPerson = await createPerson(db, { roles: ["auditor"] });
    const { id } = await openDraft(db, admin.viewer, admin.ctx, NDA, { from: "current" });
    const draft = await getVersion(db, admin.viewer, id);
    await submitDraft(db, admin.viewer, admin.ctx, { draftId: id, change: "minor" });

    for (const person of [employee, auditorPerson]) {
      const viewer = viewerOf(person);
      const ctx = context(person.id);
      await expect(openDraft(db, viewer, ctx, COURSE, { from: "current" })).rejects.toBeInstanceOf(ForbiddenError);
      await expect(
        saveDraft(db, viewer, { draftId: id, files: draft.files, expectedUpdatedAt: draft.updatedAt }),
      ).rejects.toBeInstanceOf(ForbiddenError);
      await expect(submitDraft(db, viewer, ctx, { draftId: id, change: "major" })).rejects.toBeInstanceOf(
        ForbiddenError,
      );
      await expect(approveDraft(db, viewer, ctx, id)).rejects.toBeInstanceOf(ForbiddenError);
      await expect(createItem(db, viewer, ctx, { kind: "course", id: "sneaky" }, "Sneaky")).rejects.toBeInstanceOf(
        ForbiddenError,
      );
    }
    // Nothing changed: still waiting for a second compliance admin, and no other draft.
    expect((await getVersion(db, admin.viewer, id)).state).toBe("in_review");
    expect(await db.select({ id: contentVersions.id }).from(contentVersions)).toEqual([{ id }]);

    await expect(listItems(db, viewerOf(employee))).rejects.toBeInstanceOf(ForbiddenError);
    await expect(itemVersions(db, viewerOf(employee), NDA)).rejects.toBeInstanceOf(ForbiddenError);
    const auditor = viewerOf(auditorPerson);
    const nda = (await listItems(db, auditor)).find((i) => i.kind === "agreement" && i.id === NDA.id);
    expect(nda).toMatchObject({ source: "shipped", version: SHIPPED_NDA_VERSION, open: { id, state: "in_review" } });
    expect((await itemVersions(db, auditor, NDA)).map((v) => v.id)).toEqual([id]);
  });

  it("an earlier version is published again as a new version with that version's files", async () => {
    const db = database.db();
    const author = await complianceAdmin("Ada Author");
    const approver = await complianceAdmin("Rita Reviewer");
    const v12 = await publishEdit(author, approver, NDA, "minor", (f) => withClause(f, "Clause of 1.2."));
    const v13 = await publishEdit(author, approver, NDA, "minor", (f) => withClause(f, "Clause of 1.3."));
    expect([v12.version, v13.version]).toEqual(["1.2.0", "1.3.0"]);
    expect(getAgreementTemplate("employee-nda")!.body).toContain("Clause of 1.3.");

    const rollback = await publishEdit(author, approver, NDA, "minor", (f) => f, {
      from: "version",
      versionId: v12.id,
    });
    expect(rollback.version).toBe("1.4.0");
    const files12 = (await getVersion(db, author.viewer, v12.id)).files;
    const files14 = (await getVersion(db, author.viewer, rollback.id)).files;
    expect(files14).toEqual(versionLineAs(files12, "1.4.0"));
    expect(files14).not.toEqual(files12);
    const served = getAgreementTemplate("employee-nda")!;
    expect(served.version).toBe("1.4.0");
    expect(served.body).toContain("Clause of 1.2.");
    expect(served.body).not.toContain("Clause of 1.3.");

    const versions = await itemVersions(db, author.viewer, NDA);
    expect(versions.map((v) => v.version)).toEqual(["1.4.0", "1.3.0", "1.2.0"]);
    for (const v of versions) {
      expect(v).toMatchObject({
        state: "published",
        createdByName: "Ada Author",
        submittedByName: "Ada Author",
        approvedByName: "Rita Reviewer",
        publishedByName: "Rita Reviewer",
      });
      expect(v).not.toHaveProperty("files");
    }
  });

  it("a new course starts from starter files, is refused until its bank is large enough, then is published as 1.0.0", async () => {
    const db = database.db();
    const author = await complianceAdmin();
    const ref: ItemRef = { kind: "course", id: "our-systems" };
    const bankFile = "courses/our-systems/questions.yaml";
    expect(getCourse(ref.id)).toBeNull();

    const { id } = await createItem(db, author.viewer, author.ctx, ref, "Our systems");
    const draft = await getVersion(db, author.viewer, id);
    expect(Object.keys(draft.files).sort()).toEqual([
      "courses/our-systems/course.yaml",
      "courses/our-systems/lessons/01-introduction.md",
      "courses/our-systems/lessons/02-in-practice.md",
      "courses/our-systems/lessons/03-what-to-do.md",
      bankFile,
    ]);
    expect((await listItems(db, author.viewer)).find((i) => i.id === ref.id)).toMatchObject({
      kind: "course",
      title: "Our systems",
      version: null,
      open: { id, state: "draft" },
    });
    await expect(createItem(db, author.viewer, author.ctx, ref, "Again")).rejects.toMatchObject({ code: "id_taken" });

    const refused = await submitDraft(db, author.viewer, author.ctx, { draftId: id, change: "minor" }).catch((e) => e);
    expect(refused).toMatchObject({ code: "content_invalid", status: 422 });
    expect((refused as ContentInvalidError).problems).toContainEqual(
      expect.objectContaining({ file: bankFile, problem: "a course needs at least 15 questions" }),
    );

    // Fifteen questions load, but fall short of the catalogue's bar: named, and nothing is published.
    const short = await saveDraft(db, author.viewer, {
      draftId: id,
      files: {
        ...draft.files,
        [bankFile]: YAML.stringify(Array.from({ length: 15 }, (_, i) => singleQuestion(i + 1))),
      },
      expectedUpdatedAt: draft.updatedAt,
    });
    expect(short.problems).toContainEqual({
      file: bankFile,
      field: "(bank)",
      problem: "has 15 questions; at least 30 are needed",
    });
    draft.updatedAt = short.updatedAt;

    const bank = YAML.stringify(passingBank());
    const saved = await saveDraft(db, author.viewer, {
      draftId: id,
      files: { ...draft.files, [bankFile]: bank },
      expectedUpdatedAt: draft.updatedAt,
    });
    expect(saved.problems).toEqual([]);
    const published = await submitDraft(db, author.viewer, author.ctx, { draftId: id, change: "minor" });
    expect(published).toEqual({ state: "published", version: "1.0.0" });
    const course = getCourse(ref.id)!;
    expect(course).toMatchObject({ title: "Our systems", version: "1.0.0" });
    expect(course.questions).toHaveLength(30);
    expect(course.lessons).toHaveLength(3);
    expect((await listItems(db, author.viewer)).find((i) => i.id === ref.id)).toMatchObject({
      source: "own",
      version: "1.0.0",
      shippedVersion: null,
      basedOn: null,
      updateAvailable: false,
      open: null,
    });
    expect(await db.select().from(courseReleases).where(eq(courseReleases.courseId, ref.id))).toEqual([
      expect.objectContaining({ major: 1, version: "1.0.0" }),
    ]);

    await expect(createItem(db, author.viewer, author.ctx, ref, "Again")).rejects.toMatchObject({ code: "id_taken" });
    await expect(
      createItem(db, author.viewer, author.ctx, { kind: "agreement", id: "employee-nda" }, "NDA"),
    ).rejects.toMatchObject({ code: "id_taken" });
    await expect(
      createItem(db, author.viewer, author.ctx, { kind: "course", id: "employee-nda" }, "NDA"),
    ).rejects.toMatchObject({ code: "id_taken" });
    await expect(
      createItem(db, author.viewer, author.ctx, { kind: "course", id: "Bad Id" }, "Bad"),
    ).rejects.toMatchObject({ code: "invalid_id" });
  });

  it("an own copy shows which shipped version it is based on, and a newer shipped version can be taken", async () => {
    const db = database.db();
    const author = await complianceAdmin();
    const approver = await complianceAdmin();
    const ndaItem = async () =>
      (await listItems(db, author.viewer)).find((i) => i.kind === "agreement" && i.id === NDA.id);
    expect(await ndaItem()).toMatchObject({ source: "shipped", basedOn: null, updateAvailable: false });

    const copy = await publishEdit(author, approver, NDA, "minor", (f) => withClause(f, "Our own clause."));
    expect(await ndaItem()).toMatchObject({
      source: "own",
      version: copy.version,
      shippedVersion: SHIPPED_NDA_VERSION,
      basedOn: SHIPPED_NDA_VERSION,
      updateAvailable: false,
    });

    // As if this copy had been taken from an older release and Clearance had since shipped a newer one.
    await db
      .update(contentVersions)
      .set({ builtinVersion: "1.0.0" })
      .where(and(eq(contentVersions.itemId, NDA.id), eq(contentVersions.state, "published")));
    expect(await ndaItem()).toMatchObject({ source: "own", basedOn: "1.0.0", updateAvailable: true });

    const { id } = await openDraft(db, author.viewer, author.ctx, NDA, { from: "shipped" });
    const draft = await getVersion(db, author.viewer, id);
    expect(draft.files).toEqual(shippedItemFiles(NDA));
    expect(draft.builtinVersion).toBe(SHIPPED_NDA_VERSION);
    await submitDraft(db, author.viewer, author.ctx, { draftId: id, change: "minor" });
    const { version } = await approveDraft(db, approver.viewer, approver.ctx, id);
    expect(version).toBe("1.3.0");
    expect(await ndaItem()).toMatchObject({
      source: "own",
      version: "1.3.0",
      basedOn: SHIPPED_NDA_VERSION,
      updateAvailable: false,
    });
    expect(getAgreementTemplate("employee-nda")!.body).toBe(SHIPPED_NDA_BODY);
  });

  it("another instance serves a publication once it refreshes its content", async () => {
    const db = database.db();
    const author = await complianceAdmin();
    const approver = await complianceAdmin();
    await publishEdit(author, approver, NDA, "minor", (f) => withClause(f, "Seen everywhere."));
    expect(getAgreementTemplate("employee-nda")!.body).toContain("Seen everywhere.");

    // An instance that has not seen the publication yet.
    serveOwnContent("shipped", new Map());
    expect(getAgreementTemplate("employee-nda")!.body).toBe(SHIPPED_NDA_BODY);
    expect(await refreshContent(db)).toBe(true);
    expect(getAgreementTemplate("employee-nda")!.body).toContain("Seen everywhere.");
    expect(getAgreementTemplate("employee-nda")!.version).toBe("1.2.0");
    expect(await refreshContent(db)).toBe(false);
    // The rest of the catalogue is the shipped one.
    expect(getContent().courses.map((c) => c.id)).toContain(COURSE.id);
    expect(getContent().problems).toEqual([]);
  });
});
