import "server-only";

import { createHash } from "node:crypto";

import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import YAML from "yaml";

import type { Executor } from "@/db/client";
import {
  certifications,
  contentSettings,
  contentVersions,
  type ContentChange,
  type ContentKind,
  type ContentVersionState,
} from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import { assertMay } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { DomainError, NotFoundError } from "@/lib/errors";
import { env } from "@/lib/env";
import { syncAssignments } from "@/lib/training/assignments";
import { syncCourseReleases } from "@/lib/training/course-releases";

import { PackageError } from "@/lib/scorm/package";
import { storePackage, type StoredPackage } from "@/lib/scorm/store";

import { imageMarkdown } from "./images";
import {
  assertItemId,
  binaryFiles,
  checkItemPaths,
  checkLessonImage,
  checkPolicyPdf,
  filesDigest,
  isItemPath,
  loadWith,
  nextVersion,
  problemsOf,
  starterFiles,
  versionOf,
  withFrontMatter,
  withVersion,
  type ItemFiles,
  type ItemRef,
} from "./item-files";
import { loadContent, type ContentProblem, type ContentSet } from "./load";
import { toStored } from "./overlay";
import { publishedFiles, refreshContent } from "./published";
import { currentFiles, shippedItemFiles, type VersionRow } from "./versions";

/**
 * Authoring an organisation's own courses and agreements: drafts, review,
 * publication as a major or minor version, and every version kept. A version
 * is the item's files exactly as content/ holds them, checked by the same
 * loader as the shipped catalogue; publishing a major course version starts
 * its grace period (course_releases), after which older certifications are
 * superseded, and a major agreement version must be signed again.
 */

/** Default when no setting is stored: agreements need a second compliance admin's approval, courses do not. */
export const APPROVAL_DEFAULTS: Record<ContentKind, boolean> = { course: false, agreement: true };

async function approvalRequired(db: Executor, kind: ContentKind): Promise<boolean> {
  const [row] = await db.select().from(contentSettings).where(eq(contentSettings.kind, kind));
  return row?.requireApproval ?? APPROVAL_DEFAULTS[kind];
}

export async function approvalSettings(db: Executor): Promise<Record<ContentKind, boolean>> {
  const rows = await db.select().from(contentSettings);
  const out = { ...APPROVAL_DEFAULTS };
  for (const row of rows) out[row.kind] = row.requireApproval;
  return out;
}

export async function setApprovalRequired(db: Executor, viewer: Viewer, context: AuditContext, kind: ContentKind, requireApproval: boolean, now = new Date()) {
  assertMay(viewer, "administer");
  await db.transaction(async (tx) => {
    await tx
      .insert(contentSettings)
      .values({ kind, requireApproval, updatedBy: viewer.id, updatedAt: now })
      .onConflictDoUpdate({ target: contentSettings.kind, set: { requireApproval, updatedBy: viewer.id, updatedAt: now } });
    await recordAudit(tx, context, { action: "content.approval_setting_changed", targetType: "content", targetId: kind, data: { kind, requireApproval } }, now);
  });
}

// ——— Drafts ———

export type DraftSource = { from: "current" } | { from: "shipped" } | { from: "version"; versionId: string };

async function openDraftOf(db: Executor, ref: ItemRef) {
  const [row] = await db
    .select()
    .from(contentVersions)
    .where(and(eq(contentVersions.kind, ref.kind), eq(contentVersions.itemId, ref.id), inArray(contentVersions.state, ["draft", "in_review"])));
  return row ?? null;
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string } };
  return e?.code === "23505" || e?.cause?.code === "23505";
}

/**
 * Opens a draft of an item, from what is served now, from the shipped
 * catalogue (taking an update) or from any earlier version (to publish it
 * again: a rollback). An item has one draft at a time: if one is open, it is
 * returned and nothing is created.
 */
export async function openDraft(db: Executor, viewer: Viewer, context: AuditContext, ref: ItemRef, source: DraftSource, now = new Date()): Promise<{ id: string; created: boolean }> {
  assertMay(viewer, "administer");
  assertItemId(ref.id);
  const existing = await openDraftOf(db, ref);
  if (existing) return { id: existing.id, created: false };

  const shipped = shippedItemFiles(ref);
  const shippedVersion = versionOf(loadContent(), ref);
  let files: ItemFiles;
  let builtinVersion: string | null;
  const [line] = await db
    .select({ builtinVersion: contentVersions.builtinVersion })
    .from(contentVersions)
    .where(and(eq(contentVersions.kind, ref.kind), eq(contentVersions.itemId, ref.id), eq(contentVersions.state, "published")))
    .orderBy(desc(contentVersions.publishedAt))
    .limit(1);
  if (source.from === "shipped") {
    if (!Object.keys(shipped).length) throw new NotFoundError(`Nothing called "${ref.id}" ships with Clearance.`);
    files = shipped;
    builtinVersion = shippedVersion;
  } else if (source.from === "version") {
    const [row] = await db.select().from(contentVersions).where(eq(contentVersions.id, source.versionId));
    if (!row || row.kind !== ref.kind || row.itemId !== ref.id) throw new NotFoundError("No such version of this item.");
    files = row.files;
    builtinVersion = row.builtinVersion;
  } else {
    files = await currentFiles(db, ref);
    if (!Object.keys(files).length) throw new NotFoundError(`There is no ${ref.kind} called "${ref.id}".`);
    builtinVersion = line ? line.builtinVersion : shippedVersion;
  }
  return insertDraft(db, context, ref, files, builtinVersion, source.from, viewer.id, now);
}

async function insertDraft(db: Executor, context: AuditContext, ref: ItemRef, files: ItemFiles, builtinVersion: string | null, from: string, by: string, now: Date) {
  try {
    return await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(contentVersions)
        .values({ kind: ref.kind, itemId: ref.id, state: "draft", files, builtinVersion, createdBy: by, createdAt: now, updatedBy: by, updatedAt: now })
        .returning({ id: contentVersions.id });
      await recordAudit(tx, context, { action: "content.draft_opened", targetType: ref.kind, targetId: ref.id, data: { kind: ref.kind, itemId: ref.id, from } }, now);
      return { id: row.id, created: true };
    });
  } catch (error) {
    // Someone opened a draft of the same item at the same moment: theirs is the draft.
    if (!isUniqueViolation(error)) throw error;
    const existing = await openDraftOf(db, ref);
    if (!existing) throw error;
    return { id: existing.id, created: false };
  }
}

/** Starts a new course or agreement of the organisation's own, as a draft. */
export async function createItem(db: Executor, viewer: Viewer, context: AuditContext, ref: ItemRef, title: string, now = new Date()) {
  assertMay(viewer, "administer");
  assertItemId(ref.id);
  const taken = loadContent();
  const own = await publishedFiles(db);
  const served = loadWith(own);
  const exists = (set: ContentSet) => set.courses.some((c) => c.id === ref.id) || set.agreements.some((a) => a.id === ref.id);
  if (exists(taken) || exists(served) || (await openDraftOf(db, ref)) || [...own.keys()].some((rel) => isItemPath(ref, rel)))
    throw new DomainError("id_taken", `"${ref.id}" is already in use. Choose another id.`);
  const draft = await insertDraft(db, context, ref, starterFiles(ref, title.trim()), null, "new", viewer.id, now);
  if (!draft.created) throw new DomainError("id_taken", `"${ref.id}" is already in use. Choose another id.`);
  return draft;
}

async function draftFor(db: Executor, draftId: string, states: ContentVersionState[]) {
  const [row] = await db.select().from(contentVersions).where(eq(contentVersions.id, draftId));
  if (!row) throw new NotFoundError("No such draft.");
  if (!states.includes(row.state))
    throw new DomainError(
      "not_open",
      row.state === "published" ? "This version has been published; open a new draft to change it." : row.state === "discarded" ? "This draft was discarded." : "This version is waiting for approval; it cannot be edited until it is returned.",
      409,
    );
  return row;
}

/**
 * Saves a draft's files. `expectedUpdatedAt` is when the editor loaded it: if
 * someone saved since, nothing is written and the editor is told to reload,
 * so two people editing one draft never silently overwrite each other.
 */
export async function saveDraft(
  db: Executor,
  viewer: Viewer,
  input: { draftId: string; files: ItemFiles; expectedUpdatedAt: Date },
  now = new Date(),
): Promise<{ updatedAt: Date; problems: ContentProblem[] }> {
  assertMay(viewer, "administer");
  const row = await draftFor(db, input.draftId, ["draft"]);
  const ref = { kind: row.kind, id: row.itemId };
  checkItemPaths(ref, input.files);
  // An attached PDF stays attached: it is replaced or removed only through its own upload (attachDocument).
  const files = { ...input.files, ...binaryFiles(row.files) };
  // The saved time always moves forward, so a save made with the time read before it can never match again.
  const savedAt = new Date(Math.max(now.getTime(), input.expectedUpdatedAt.getTime() + 1));
  const updated = await db
    .update(contentVersions)
    .set({ files, updatedBy: viewer.id, updatedAt: savedAt })
    .where(and(eq(contentVersions.id, row.id), eq(contentVersions.state, "draft"), eq(contentVersions.updatedAt, input.expectedUpdatedAt)))
    .returning({ updatedAt: contentVersions.updatedAt });
  if (!updated.length)
    throw new DomainError("edited_elsewhere", "Someone else saved this draft after you opened it. Reload to see their changes; copy yours first.", 409);
  const { problems } = problemsOf(await publishedFiles(db), ref, files);
  return { updatedAt: updated[0].updatedAt, problems };
}

/** The problems with files not yet saved: the editor's check as you type. */
export async function checkDraftFiles(db: Executor, viewer: Viewer, ref: ItemRef, files: ItemFiles): Promise<ContentProblem[]> {
  assertMay(viewer, "administer");
  checkItemPaths(ref, files);
  // The open draft's attached PDF counts, as a save would keep it.
  const open = await openDraftOf(db, ref);
  return problemsOf(await publishedFiles(db), ref, { ...files, ...(open ? binaryFiles(open.files) : {}) }).problems;
}

/**
 * Attaches a policy PDF to an agreement's draft (replacing any), and marks the
 * agreement as one whose document is that PDF and must be opened before
 * signing. Nothing else in the draft changes.
 */
export async function attachDocument(db: Executor, viewer: Viewer, ref: ItemRef, pdf: Buffer, now = new Date()): Promise<{ sha256: string }> {
  assertMay(viewer, "administer");
  if (ref.kind !== "agreement") throw new DomainError("not_agreement", "Only an agreement or policy can have a PDF.");
  checkPolicyPdf(pdf);
  const row = await openDraftOf(db, ref);
  if (!row || row.state !== "draft") throw new DomainError("no_draft", "Open a draft of this agreement first.", 409);
  const mdPath = `agreements/${ref.id}.md`;
  const files = {
    ...row.files,
    [mdPath]: withFrontMatter(row.files[mdPath] ?? "", { document: "pdf", ...(/^mustRead:/m.test(row.files[mdPath] ?? "") ? {} : { mustRead: true }) }),
    [`agreements/${ref.id}.pdf`]: toStored(`agreements/${ref.id}.pdf`, pdf),
  };
  const updated = await db
    .update(contentVersions)
    .set({ files, updatedBy: viewer.id, updatedAt: new Date(Math.max(now.getTime(), row.updatedAt.getTime() + 1)) })
    .where(and(eq(contentVersions.id, row.id), eq(contentVersions.state, "draft"), eq(contentVersions.updatedAt, row.updatedAt)))
    .returning({ id: contentVersions.id });
  if (!updated.length) throw new DomainError("edited_elsewhere", "The draft changed while the PDF was uploading. Upload it again.", 409);
  return { sha256: createHash("sha256").update(pdf).digest("hex") };
}

/**
 * Makes a course's draft play a SCORM package: the package is read, checked
 * and kept (lib/scorm/store.ts), course.yaml names it, and the draft's own
 * lessons, images and questions go, since the package is the course's lessons
 * and its test. The course's other settings (validity, audience, reminders)
 * stay as they are.
 */
export async function attachPackage(
  db: Executor,
  viewer: Viewer,
  ref: ItemRef,
  archive: Buffer,
  now = new Date(),
): Promise<StoredPackage> {
  assertMay(viewer, "administer");
  if (ref.kind !== "course") throw new DomainError("not_course", "Only a course can play a SCORM package.");
  const row = await openDraftOf(db, ref);
  if (!row || row.state !== "draft") throw new DomainError("no_draft", "Open a draft of this course first.", 409);
  let stored: StoredPackage;
  try {
    stored = await storePackage(db, archive, viewer.id, now);
  } catch (error) {
    if (error instanceof PackageError) throw new DomainError(error.code, error.message, error.code === "package_too_large" ? 413 : 422);
    throw error;
  }
  const metaPath = `courses/${ref.id}/course.yaml`;
  const doc = YAML.parseDocument(row.files[metaPath] ?? "");
  if (doc.errors.length || !YAML.isMap(doc.contents))
    throw new DomainError("settings_unreadable", "Fix the course settings (course.yaml) first: they cannot be read.", 409);
  doc.set("package", stored.sha256);
  const files: ItemFiles = { [metaPath]: doc.toString() };
  for (const [rel, text] of Object.entries(row.files)) {
    if (rel !== metaPath && !/\/(lessons|images)\/|\/questions\.yaml$/.test(rel)) files[rel] = text;
  }
  const updated = await db
    .update(contentVersions)
    .set({ files, updatedBy: viewer.id, updatedAt: new Date(Math.max(now.getTime(), row.updatedAt.getTime() + 1)) })
    .where(and(eq(contentVersions.id, row.id), eq(contentVersions.state, "draft"), eq(contentVersions.updatedAt, row.updatedAt)))
    .returning({ id: contentVersions.id });
  if (!updated.length) throw new DomainError("edited_elsewhere", "The draft changed while the package was uploading. Upload it again.", 409);
  return stored;
}

/** Applies a change to an open course draft's images; nothing else in the draft changes. */
async function changeImages(db: Executor, viewer: Viewer, ref: ItemRef, change: (files: ItemFiles) => ItemFiles, now: Date): Promise<void> {
  if (ref.kind !== "course") throw new DomainError("not_course", "Only a course's lessons can show images.");
  const row = await openDraftOf(db, ref);
  if (!row || row.state !== "draft") throw new DomainError("no_draft", "Open a draft of this course first.", 409);
  const files = change(row.files);
  checkItemPaths(ref, files);
  const updated = await db
    .update(contentVersions)
    .set({ files, updatedBy: viewer.id, updatedAt: new Date(Math.max(now.getTime(), row.updatedAt.getTime() + 1)) })
    .where(and(eq(contentVersions.id, row.id), eq(contentVersions.state, "draft"), eq(contentVersions.updatedAt, row.updatedAt)))
    .returning({ id: contentVersions.id });
  if (!updated.length) throw new DomainError("edited_elsewhere", "The draft changed meanwhile. Reload the page and try again.", 409);
}

/**
 * Attaches an image to a course's draft (replacing one of the same name), to
 * be shown in its lessons with `![alt](images/<name>)`.
 */
export async function attachImage(
  db: Executor,
  viewer: Viewer,
  ref: ItemRef,
  name: string,
  bytes: Buffer,
  now = new Date(),
): Promise<{ path: string; markdown: string; sha256: string }> {
  assertMay(viewer, "administer");
  checkLessonImage(name, bytes);
  const rel = `courses/${ref.id}/images/${name}`;
  await changeImages(db, viewer, ref, (files) => ({ ...files, [rel]: toStored(rel, bytes) }), now);
  return { path: rel, markdown: imageMarkdown(name), sha256: createHash("sha256").update(bytes).digest("hex") };
}

/** Removes an image from a course's draft. A lesson still showing it is then a problem to fix before publishing. */
export async function removeImage(db: Executor, viewer: Viewer, ref: ItemRef, name: string, now = new Date()): Promise<void> {
  assertMay(viewer, "administer");
  const rel = `courses/${ref.id}/images/${name}`;
  await changeImages(
    db,
    viewer,
    ref,
    (files) => {
      if (!(rel in files)) throw new NotFoundError(`There is no image called ${name} in this draft.`);
      const rest = { ...files };
      delete rest[rel];
      return rest;
    },
    now,
  );
}

export async function discardDraft(db: Executor, viewer: Viewer, context: AuditContext, draftId: string, now = new Date()) {
  assertMay(viewer, "administer");
  const row = await draftFor(db, draftId, ["draft", "in_review"]);
  await db.transaction(async (tx) => {
    const done = await tx
      .update(contentVersions)
      .set({ state: "discarded", updatedBy: viewer.id, updatedAt: now })
      .where(and(eq(contentVersions.id, row.id), inArray(contentVersions.state, ["draft", "in_review"])))
      .returning({ id: contentVersions.id });
    if (!done.length) throw new DomainError("not_open", "This draft was already published or discarded.", 409);
    await recordAudit(tx, context, { action: "content.discarded", targetType: row.kind, targetId: row.itemId, data: { kind: row.kind, itemId: row.itemId } }, now);
  });
}

class ContentInvalidError extends DomainError {
  constructor(readonly problems: ContentProblem[]) {
    super("content_invalid", `Fix ${problems.length === 1 ? "this problem" : `these ${problems.length} problems`} first: ${problems.slice(0, 3).map((p) => `${p.file}: ${p.field}: ${p.problem}`).join("; ")}${problems.length > 3 ? "; …" : ""}`, 422);
  }
}
export { ContentInvalidError };

/**
 * Submits a draft as a major or minor version. Where publishing needs a second
 * compliance admin's approval the draft waits for it; otherwise it is
 * published now.
 */
export async function submitDraft(
  db: Executor,
  viewer: Viewer,
  context: AuditContext,
  input: { draftId: string; change: ContentChange; note?: string | null },
  now = new Date(),
): Promise<{ state: "in_review" | "published"; version?: string }> {
  assertMay(viewer, "administer");
  const row = await draftFor(db, input.draftId, ["draft"]);
  const ref = { kind: row.kind, id: row.itemId };
  const own = await publishedFiles(db);
  const { problems } = problemsOf(own, ref, row.files);
  if (problems.length) throw new ContentInvalidError(problems);
  if (!(await approvalRequired(db, row.kind))) {
    const version = await publish(db, context, row, { change: input.change, note: input.note ?? null, by: viewer.id, approvedBy: null, fromState: "draft" }, now);
    return { state: "published", version };
  }
  await db.transaction(async (tx) => {
    const done = await tx
      .update(contentVersions)
      .set({ state: "in_review", change: input.change, note: input.note ?? null, submittedBy: viewer.id, submittedAt: now })
      .where(and(eq(contentVersions.id, row.id), eq(contentVersions.state, "draft"), eq(contentVersions.updatedAt, row.updatedAt)))
      .returning({ id: contentVersions.id });
    if (!done.length) throw new DomainError("edited_elsewhere", "The draft changed while you submitted it. Reload and submit again.", 409);
    await recordAudit(tx, context, { action: "content.submitted", targetType: row.kind, targetId: row.itemId, data: { kind: row.kind, itemId: row.itemId, change: input.change } }, now);
  });
  return { state: "in_review" };
}

/** A second compliance admin approves a submitted version: it is published now. */
export async function approveDraft(db: Executor, viewer: Viewer, context: AuditContext, draftId: string, now = new Date()): Promise<{ version: string }> {
  assertMay(viewer, "administer");
  const row = await draftFor(db, draftId, ["in_review"]);
  if (row.submittedBy === viewer.id) throw new DomainError("same_person", "Another compliance admin must approve what you submitted.", 403);
  const version = await publish(db, context, row, { change: row.change ?? "minor", note: row.note, by: viewer.id, approvedBy: viewer.id, fromState: "in_review" }, now);
  return { version };
}

/** Sends a submitted version back to draft, with the reason. */
export async function returnDraft(db: Executor, viewer: Viewer, context: AuditContext, input: { draftId: string; reason: string }, now = new Date()) {
  assertMay(viewer, "administer");
  const row = await draftFor(db, input.draftId, ["in_review"]);
  await db.transaction(async (tx) => {
    const done = await tx
      .update(contentVersions)
      .set({ state: "draft", submittedBy: null, submittedAt: null, updatedAt: now, updatedBy: viewer.id })
      .where(and(eq(contentVersions.id, row.id), eq(contentVersions.state, "in_review")))
      .returning({ id: contentVersions.id });
    if (!done.length) throw new DomainError("not_open", "This version was already approved, returned or discarded.", 409);
    await recordAudit(tx, context, { action: "content.returned", targetType: row.kind, targetId: row.itemId, data: { kind: row.kind, itemId: row.itemId, reason: input.reason } }, now);
  });
}

async function publish(
  db: Executor,
  context: AuditContext,
  row: VersionRow,
  opts: { change: ContentChange; note: string | null; by: string; approvedBy: string | null; fromState: "draft" | "in_review" },
  now: Date,
): Promise<string> {
  const ref = { kind: row.kind, id: row.itemId };
  const own = await publishedFiles(db);
  const current = versionOf(loadWith(own), ref);
  const isNew = ![...own.keys()].some((rel) => isItemPath(ref, rel)) && !versionOf(loadContent(), ref);
  const change: ContentChange = isNew ? "major" : opts.change;
  const version = nextVersion(isNew ? null : current, change);
  const files = withVersion(ref, row.files, version);
  const { problems, content } = problemsOf(own, ref, files);
  if (problems.length) throw new ContentInvalidError(problems);

  await db.transaction(async (tx) => {
    const done = await tx
      .update(contentVersions)
      .set({
        state: "published",
        files,
        version,
        change,
        note: opts.note,
        submittedBy: row.submittedBy ?? opts.by,
        submittedAt: row.submittedAt ?? now,
        approvedBy: opts.approvedBy,
        approvedAt: opts.approvedBy ? now : null,
        publishedBy: opts.by,
        publishedAt: now,
      })
      .where(and(eq(contentVersions.id, row.id), eq(contentVersions.state, opts.fromState), eq(contentVersions.updatedAt, row.updatedAt)))
      .returning({ id: contentVersions.id });
    if (!done.length) throw new DomainError("edited_elsewhere", "This version changed or was published while you acted on it. Reload the page.", 409);
    if (ref.kind === "course") {
      // A new major starts its grace period now; the scheduler assigns recertification due at its end.
      const course = content.courses.find((c) => c.id === ref.id)!;
      await syncCourseReleases(tx, [course], now);
    }
    await recordAudit(
      tx,
      context,
      {
        action: "content.published",
        targetType: ref.kind,
        targetId: ref.id,
        data: { kind: ref.kind, itemId: ref.id, version, change, submittedBy: row.submittedBy ?? opts.by, approvedBy: opts.approvedBy, filesSha256: filesDigest(files) },
      },
      now,
    );
  });
  // This instance serves the new version at once; the others within CONTENT_REFRESH_SECONDS.
  await refreshContent(db);
  if (ref.kind === "course") await assignNewVersionBeforeStart(db, ref.id, version);
  if (ref.kind === "course" && change === "major" && !isNew) await assignRecertification(db, ref.id, now);
  return version;
}

/**
 * People assigned the course who have not started it since (no lesson opened,
 * no quiz started) are given the version just published; those part-way
 * through keep the version they were assigned until they finish.
 */
async function assignNewVersionBeforeStart(db: Executor, courseId: string, version: string): Promise<void> {
  await db.execute(sql`
    update assignments a set course_version = ${version}
    where a.course_id = ${courseId} and a.completed_at is null and a.cancelled_at is null
      and a.course_version is distinct from ${version}
      and not exists (select 1 from lesson_progress p
        where p.person_id = a.person_id and p.course_id = a.course_id and p.last_viewed_at >= a.assigned_at)
      and not exists (select 1 from quiz_attempts q
        where q.person_id = a.person_id and q.course_id = a.course_id and q.started_at >= a.assigned_at)`);
}

/**
 * After a major course version, the people certified in the course are
 * assigned the new version now (due when the grace period ends), so they are
 * told at once. A very large group is left to the scheduler, which sweeps
 * everyone within its runs.
 */
async function assignRecertification(db: Executor, courseId: string, now: Date): Promise<void> {
  const holders = await db
    .selectDistinct({ personId: certifications.personId })
    .from(certifications)
    .where(and(eq(certifications.courseId, courseId), isNull(certifications.annulledAt)))
    .limit(env().SCHEDULER_SWEEP_PEOPLE + 1);
  if (holders.length === 0 || holders.length > env().SCHEDULER_SWEEP_PEOPLE) return;
  await syncAssignments(db, { personIds: holders.map((h) => h.personId), now });
}


/** Opens a draft of each imported item in one transaction: all of them, or (if any item has a draft open) none. */
export async function importDrafts(
  db: Executor,
  viewer: Viewer,
  context: AuditContext,
  items: { ref: ItemRef; files: ItemFiles }[],
  now = new Date(),
): Promise<{ kind: ContentKind; id: string; draftId: string }[]> {
  assertMay(viewer, "administer");
  const shipped = loadContent();
  try {
    return await db.transaction(async (tx) => {
      const out: { kind: ContentKind; id: string; draftId: string }[] = [];
      for (const { ref, files } of items) {
        const [line] = await tx
          .select({ builtinVersion: contentVersions.builtinVersion })
          .from(contentVersions)
          .where(and(eq(contentVersions.kind, ref.kind), eq(contentVersions.itemId, ref.id), eq(contentVersions.state, "published")))
          .orderBy(desc(contentVersions.publishedAt))
          .limit(1);
        const [row] = await tx
          .insert(contentVersions)
          .values({
            kind: ref.kind,
            itemId: ref.id,
            state: "draft",
            files,
            builtinVersion: line ? line.builtinVersion : versionOf(shipped, ref),
            createdBy: viewer.id,
            createdAt: now,
            updatedBy: viewer.id,
            updatedAt: now,
          })
          .returning({ id: contentVersions.id });
        await recordAudit(tx, context, { action: "content.draft_opened", targetType: ref.kind, targetId: ref.id, data: { kind: ref.kind, itemId: ref.id, from: "import" } }, now);
        out.push({ kind: ref.kind, id: ref.id, draftId: row.id });
      }
      return out;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new DomainError("draft_open", "Someone opened a draft of an item in this file meanwhile. Publish or discard it, then import again.", 409);
    throw error;
  }
}
