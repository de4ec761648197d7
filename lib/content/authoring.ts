import "server-only";

import { createHash } from "node:crypto";

import { and, asc, desc, eq, inArray, isNull } from "drizzle-orm";
import YAML, { isScalar } from "yaml";

import type { Executor } from "@/db/client";
import {
  certifications,
  contentSettings,
  contentVersions,
  people,
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

import { declaredType, IMAGE_NAME, imageMarkdown, isImagePath, MAX_LESSON_IMAGE_BYTES, MAX_LESSON_IMAGES, sniffImage } from "./images";
import { CONTENT_DIR, loadContent, MAX_POLICY_PDF_BYTES, type ContentProblem, type ContentSet } from "./load";
import { isBinaryPath, itemPathPattern, overlayFiles, shippedFiles, toStored } from "./overlay";
import { BANK_BAR, bankProblems, bankStats, jaccard, lessonCitations, promptTokens } from "./rules";
import { publishedFiles, refreshContent } from "./published";

/**
 * Authoring an organisation's own courses and agreements: drafts, review,
 * publication as a major or minor version, and every version kept. A version
 * is the item's files exactly as content/ holds them, checked by the same
 * loader as the shipped catalogue; publishing a major course version starts
 * its grace period (course_releases), after which older certifications are
 * superseded, and a major agreement version must be signed again.
 */

export type ItemFiles = Record<string, string>;
export type ItemRef = { kind: ContentKind; id: string };

/** Default when no setting is stored: agreements need a second compliance admin's approval, courses do not. */
export const APPROVAL_DEFAULTS: Record<ContentKind, boolean> = { course: false, agreement: true };

/** The most a version may hold: enough for six long lessons and a large bank, small enough to keep forever. */
export const MAX_ITEM_BYTES = 500_000;
/** Room for six lessons, the bank, the settings and the images. */
const MAX_FILES = 24;

const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export function itemKey(ref: ItemRef) {
  return `${ref.kind}:${ref.id}`;
}

function assertItemId(id: string) {
  if (!KEBAB.test(id) || id.length > 60)
    throw new DomainError("invalid_id", "Use lower-case letters, digits and hyphens (at most 60), like data-handling-basics.");
}

/** The files of an item, refused unless every path is one of its own and the whole stays under the size limit. */
export function checkItemPaths(ref: ItemRef, files: ItemFiles): void {
  const pattern = itemPathPattern(ref.kind, ref.id);
  const paths = Object.keys(files);
  const stray = paths.filter((p) => !pattern.test(p));
  if (stray.length)
    throw new DomainError(
      "invalid_path",
      `${stray[0]}: not a file of ${ref.kind} "${ref.id}" (${ref.kind === "course" ? `courses/${ref.id}/course.yaml, questions.yaml, lessons/NN-name.md or images/name.png` : `agreements/${ref.id}.md`}).`,
    );
  const images = paths.filter(isImagePath);
  if (images.length > MAX_LESSON_IMAGES) throw new DomainError("too_many_images", `A course has at most ${MAX_LESSON_IMAGES} images.`);
  if (paths.length > MAX_FILES) throw new DomainError("too_many_files", `An item has at most ${MAX_FILES} files.`);
  const texts = paths.filter((p) => !isBinaryPath(p));
  const bytes = texts.reduce((n, p) => n + Buffer.byteLength(files[p], "utf8") + p.length, 0);
  if (bytes > MAX_ITEM_BYTES)
    throw new DomainError("too_large", `This version is ${Math.ceil(bytes / 1000)} kB; the most one version may hold is ${MAX_ITEM_BYTES / 1000} kB.`);
  if (texts.some((p) => files[p].includes("\u0000"))) throw new DomainError("invalid_text", "Files must not contain NUL characters.");
  for (const p of paths.filter(isBinaryPath)) {
    const image = isImagePath(p);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(files[p])) throw new DomainError(image ? "invalid_image" : "invalid_document", `${p}: not a stored ${image ? "image" : "PDF"}.`);
    if (image) checkLessonImage(p.slice(p.lastIndexOf("/") + 1), Buffer.from(files[p], "base64"));
    else checkPolicyPdf(Buffer.from(files[p], "base64"));
  }
}

/** A lesson image: a named PNG, JPEG or WebP (by its first bytes, matching its extension), no larger than the limit. */
export function checkLessonImage(name: string, bytes: Buffer): void {
  if (!IMAGE_NAME.test(name))
    throw new DomainError("invalid_image_name", `${name}: name images with lower-case letters, digits and hyphens, ending .png, .jpg, .jpeg or .webp.`);
  if (bytes.length > MAX_LESSON_IMAGE_BYTES)
    throw new DomainError("too_large", `${name} is ${Math.ceil(bytes.length / 1000)} kB; the most an image may be is ${MAX_LESSON_IMAGE_BYTES / 1000} kB.`);
  const type = sniffImage(bytes);
  if (!type) throw new DomainError("not_image", `${name} is not a PNG, JPEG or WebP image.`);
  if (type !== declaredType(name)) throw new DomainError("not_image", `${name} is a ${type.slice(6).toUpperCase()} image: name it with that extension.`);
}

/** A policy PDF as uploaded: a PDF (by its header), no larger than the limit. */
export function checkPolicyPdf(bytes: Buffer): void {
  if (bytes.length > MAX_POLICY_PDF_BYTES)
    throw new DomainError("too_large", `The PDF is ${Math.ceil(bytes.length / 1_000_000)} MB; the most accepted is ${MAX_POLICY_PDF_BYTES / 1_000_000} MB.`);
  if (bytes.subarray(0, 5).toString("latin1") !== "%PDF-") throw new DomainError("not_pdf", "That file is not a PDF.");
}

/** The binary files (policy PDFs) a draft holds: the editor sends only text, and a save keeps these. */
function binaryFiles(files: ItemFiles): ItemFiles {
  return Object.fromEntries(Object.entries(files).filter(([p]) => isBinaryPath(p)));
}

function isItemPath(ref: ItemRef, rel: string) {
  return itemPathPattern(ref.kind, ref.id).test(rel);
}

function withItem(own: ReadonlyMap<string, string>, ref: ItemRef, files: ItemFiles): Map<string, string> {
  const next = new Map([...own].filter(([rel]) => !isItemPath(ref, rel)));
  for (const [rel, text] of Object.entries(files)) next.set(rel, text);
  return next;
}

function loadWith(own: ReadonlyMap<string, string>): ContentSet {
  return own.size ? loadContent(CONTENT_DIR, overlayFiles(CONTENT_DIR, own)) : loadContent();
}

const problemKey = (p: ContentProblem) => `${p.file}\u0000${p.field}\u0000${p.problem}`;
const key = problemKey;

// The problems of the content as published, kept for the last set of published files: the editor checks often.
let baseline: { digest: string; problems: Set<string> } | null = null;
function baselineProblems(own: ReadonlyMap<string, string>): Set<string> {
  const digest = filesDigest(Object.fromEntries(own));
  if (baseline?.digest !== digest) baseline = { digest, problems: new Set(loadWith(own).problems.map(problemKey)) };
  return baseline.problems;
}

const display = (p: ContentProblem) => ({ ...p, file: p.file.replace(/^content\//, "") });

/**
 * What is wrong with an item's files, as the loader and `npm run content:check`
 * say it (`file`, `field`, `problem`): the problems the content would have with
 * these files that it does not have without them.
 */
export function problemsOf(own: ReadonlyMap<string, string>, ref: ItemRef, files: ItemFiles): { problems: ContentProblem[]; content: ContentSet } {
  // Compared with the content without this item's own files (the shipped item, if any, in their place).
  const before = baselineProblems(withItem(own, ref, {}));
  const content = loadWith(withItem(own, ref, files));
  const problems = content.problems.filter((p) => !before.has(key(p))).map(display);
  if (ref.kind === "course") problems.push(...courseBar(content, ref.id, files));
  const present = ref.kind === "course" ? content.courses.some((c) => c.id === ref.id) : content.agreements.some((a) => a.id === ref.id);
  const main = ref.kind === "course" ? `courses/${ref.id}/course.yaml` : `agreements/${ref.id}.md`;
  // Without its main file a version would not replace the shipped item at all: the shipped one would show through.
  const mainMissing = !(main in files) && !problems.some((p) => p.file === main);
  if (mainMissing || (!present && problems.length === 0)) problems.push({ file: main, field: "(file)", problem: "is missing" });
  return { problems, content };
}

/**
 * The bar `npm run content:check` holds the catalogue to, for one course: the
 * question bank's size and balance, a Sources line in every lesson, and no
 * prompt near-identical to another anywhere in the content. An exported
 * course therefore passes the check in the organisation's own repository.
 */
function courseBar(content: ContentSet, id: string, files: ItemFiles): ContentProblem[] {
  const course = content.courses.find((c) => c.id === id);
  if (!course) return [];
  const bankFile = `courses/${id}/questions.yaml`;
  const out: ContentProblem[] = bankProblems(bankStats(course.questions)).map((problem) => ({ file: bankFile, field: "(bank)", problem }));
  for (const [rel, text] of Object.entries(files)) {
    if (!rel.includes("/lessons/")) continue;
    for (const p of lessonCitations(text.replace(/\r\n/g, "\n")).problems) out.push({ file: rel, field: `Sources (line ${p.line})`, problem: p.problem });
  }
  const others = content.courses.flatMap((c) => c.questions.map((q) => ({ course: c.id, id: q.id, tokens: promptTokens(q.prompt) })));
  for (const q of course.questions) {
    const tokens = promptTokens(q.prompt);
    for (const other of others) {
      if (other.course === id && other.id === q.id) continue;
      if (other.course === id && other.id < q.id) continue; // each pair within the course once
      const similarity = jaccard(tokens, other.tokens);
      if (similarity >= BANK_BAR.duplicateSimilarity)
        out.push({ file: bankFile, field: q.id, problem: `near-duplicate (${Math.round(similarity * 100)}% of words shared) of ${other.course}/${other.id}` });
    }
  }
  return out;
}

/** The version an item has now: its latest own publication, else the shipped one, else none. */
function versionOf(content: ContentSet, ref: ItemRef): string | null {
  const item = ref.kind === "course" ? content.courses.find((c) => c.id === ref.id) : content.agreements.find((a) => a.id === ref.id);
  return item?.version ?? null;
}

export function nextVersion(current: string | null, change: ContentChange): string {
  if (!current) return "1.0.0";
  const [major, minor] = current.split(".").map(Number);
  return change === "major" ? `${major + 1}.0.0` : `${major}.${minor + 1}.0`;
}

/** YAML text with its top-level `version` set; only that value is rewritten, so the rest stays exactly as written. */
function setVersion(text: string, version: string): string {
  const doc = YAML.parseDocument(text);
  const node = doc.get("version", true);
  if (isScalar(node) && node.range) return text.slice(0, node.range[0]) + version + text.slice(node.range[1]);
  doc.set("version", version);
  return String(doc);
}

/** The files with their `version` set (course.yaml, or the agreement's front matter), everything else unchanged. */
export function withVersion(ref: ItemRef, files: ItemFiles, version: string): ItemFiles {
  const out = { ...files };
  if (ref.kind === "course") {
    const rel = `courses/${ref.id}/course.yaml`;
    out[rel] = setVersion(out[rel] ?? "", version);
  } else {
    const rel = `agreements/${ref.id}.md`;
    const match = (out[rel] ?? "").replace(/\r\n/g, "\n").match(/^---\n([\s\S]*?)\n---\n?([\s\S]*)$/);
    if (match) out[rel] = `---\n${setVersion(match[1], version).trimEnd()}\n---\n${match[2]}`;
  }
  return out;
}

export function filesDigest(files: ItemFiles): string {
  const hash = createHash("sha256");
  for (const rel of Object.keys(files).sort()) hash.update(`${rel}\u0000${files[rel]}\u0000`);
  return hash.digest("hex");
}

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

// ——— Reading ———

export type VersionRow = typeof contentVersions.$inferSelect;

export type ItemSummary = ItemRef & {
  title: string;
  /** shipped: the catalogue's, untouched; own: the organisation's (possibly first copied from the catalogue). */
  source: "shipped" | "own";
  version: string | null;
  shippedVersion: string | null;
  /** The catalogue's version this organisation's line was last taken from. */
  basedOn: string | null;
  updateAvailable: boolean;
  open: { id: string; state: ContentVersionState; updatedAt: Date } | null;
};

/** Every course and agreement: the catalogue's and the organisation's, with any draft in progress. */
export async function listItems(db: Executor, viewer: Viewer): Promise<ItemSummary[]> {
  assertMay(viewer, "oversee");
  const own = await publishedFiles(db);
  const content = loadWith(own);
  const shipped = loadContent();
  const rows = await db
    .selectDistinctOn([contentVersions.kind, contentVersions.itemId], {
      kind: contentVersions.kind,
      itemId: contentVersions.itemId,
      builtinVersion: contentVersions.builtinVersion,
    })
    .from(contentVersions)
    .where(eq(contentVersions.state, "published"))
    .orderBy(contentVersions.kind, contentVersions.itemId, desc(contentVersions.publishedAt));
  const lines = new Map(rows.map((r) => [`${r.kind}:${r.itemId}`, r.builtinVersion]));
  const open = await db
    .select({ id: contentVersions.id, kind: contentVersions.kind, itemId: contentVersions.itemId, state: contentVersions.state, updatedAt: contentVersions.updatedAt, files: contentVersions.files })
    .from(contentVersions)
    .where(inArray(contentVersions.state, ["draft", "in_review"]));
  const openByKey = new Map(open.map((o) => [`${o.kind}:${o.itemId}`, o]));

  const items: ItemSummary[] = [];
  const add = (ref: ItemRef, title: string, version: string | null) => {
    const key = itemKey(ref);
    const shippedItem = ref.kind === "course" ? shipped.courses.find((c) => c.id === ref.id) : shipped.agreements.find((a) => a.id === ref.id);
    const isOwn = lines.has(key);
    const basedOn = lines.get(key) ?? null;
    const o = openByKey.get(key);
    items.push({
      ...ref,
      title,
      source: isOwn ? "own" : "shipped",
      version,
      shippedVersion: shippedItem?.version ?? null,
      basedOn,
      updateAvailable: isOwn && !!shippedItem && basedOn !== null && basedOn !== shippedItem.version,
      open: o ? { id: o.id, state: o.state, updatedAt: o.updatedAt } : null,
    });
  };
  for (const c of content.courses) add({ kind: "course", id: c.id }, c.title, c.version);
  for (const a of content.agreements) add({ kind: "agreement", id: a.id }, a.title, a.version);
  // New items never published: only their draft exists.
  for (const o of open) {
    if (items.some((i) => i.kind === o.kind && i.id === o.itemId)) continue;
    add({ kind: o.kind, id: o.itemId }, titleOf({ kind: o.kind, id: o.itemId }, o.files) ?? o.itemId, null);
  }
  return items.sort((a, b) => a.kind.localeCompare(b.kind) || a.title.localeCompare(b.title));
}

/** The title an item's files give it, if they can be read that far. */
export function titleOf(ref: ItemRef, files: ItemFiles): string | null {
  try {
    if (ref.kind === "course") {
      const meta = YAML.parse(files[`courses/${ref.id}/course.yaml`] ?? "") as { title?: unknown } | null;
      return typeof meta?.title === "string" ? meta.title : null;
    }
    const match = (files[`agreements/${ref.id}.md`] ?? "").match(/^---\r?\n([\s\S]*?)\r?\n---/);
    const meta = match ? (YAML.parse(match[1]) as { title?: unknown } | null) : null;
    return typeof meta?.title === "string" ? meta.title : null;
  } catch {
    return null;
  }
}

export type VersionListing = Omit<VersionRow, "files"> & {
  createdByName: string | null;
  submittedByName: string | null;
  approvedByName: string | null;
  publishedByName: string | null;
};

/** Every version of an item, newest first, with the names of the people who made, approved and published it. */
export async function itemVersions(db: Executor, viewer: Viewer, ref: ItemRef): Promise<VersionListing[]> {
  assertMay(viewer, "oversee");
  const rows = await db
    .select()
    .from(contentVersions)
    .where(and(eq(contentVersions.kind, ref.kind), eq(contentVersions.itemId, ref.id)))
    .orderBy(desc(contentVersions.createdAt));
  const ids = [...new Set(rows.flatMap((r) => [r.createdBy, r.submittedBy, r.approvedBy, r.publishedBy]).filter((x): x is string => !!x))];
  const names = new Map(
    ids.length ? (await db.select({ id: people.id, name: people.name }).from(people).where(inArray(people.id, ids))).map((p) => [p.id, p.name]) : [],
  );
  const name = (id: string | null) => (id ? (names.get(id) ?? null) : null);
  return rows.map((row) => {
    const r: Omit<VersionRow, "files"> & { files?: unknown } = { ...row };
    delete r.files;
    return {
    ...r,
    createdByName: name(r.createdBy),
    submittedByName: name(r.submittedBy),
    approvedByName: name(r.approvedBy),
    publishedByName: name(r.publishedBy),
  };
  });
}

export async function getVersion(db: Executor, viewer: Viewer, versionId: string): Promise<VersionRow> {
  assertMay(viewer, "oversee");
  const [row] = await db.select().from(contentVersions).where(eq(contentVersions.id, versionId));
  if (!row) throw new NotFoundError("No such version.");
  return row;
}

/** The files of an item as served now (its latest publication, else the shipped item). */
export async function currentFiles(db: Executor, ref: ItemRef): Promise<ItemFiles> {
  const [row] = await db
    .select({ files: contentVersions.files })
    .from(contentVersions)
    .where(and(eq(contentVersions.kind, ref.kind), eq(contentVersions.itemId, ref.id), eq(contentVersions.state, "published")))
    .orderBy(desc(contentVersions.publishedAt))
    .limit(1);
  return row?.files ?? shippedFiles(CONTENT_DIR, ref.kind, ref.id);
}

export function shippedItemFiles(ref: ItemRef): ItemFiles {
  return shippedFiles(CONTENT_DIR, ref.kind, ref.id);
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

/** The files a new item starts with: everything the loader needs, with text to replace. */
export function starterFiles(ref: ItemRef, title: string): ItemFiles {
  if (ref.kind === "agreement") {
    const meta = YAML.stringify({ id: ref.id, title, version: "1.0.0", audience: "employee", renewalMonths: 12, signers: { everyone: true }, summary: "One sentence on what signing this commits people to." });
    return {
      [`agreements/${ref.id}.md`]: `---\n${meta.trimEnd()}\n---\n# ${title}\n\nThis agreement is between **{{organisation.name}}** and **{{person.name}}** ({{person.email}}), signed on {{date}}.\n\n## 1. What you agree to\n\nWrite each obligation as a numbered clause.\n`,
    };
  }
  const meta = {
    id: ref.id,
    title,
    summary: "One or two sentences on what this course covers and who it is for.",
    version: "1.0.0",
    objectives: ["You will be able to …", "You will be able to …", "You will be able to …"],
    validityMonths: 12,
    passMark: 80,
    questionsPerAttempt: 10,
    attemptLimit: 3,
    cooldownHours: 24,
    estimatedMinutes: 20,
    graceDays: 30,
    dueDays: 30,
    assignTo: { everyone: true },
  };
  const lesson = (n: number) => `# Lesson ${n}\n\nWrite the lesson here in Markdown.\n\nSources: GDPR Art. 5\n`;
  return {
    [`courses/${ref.id}/course.yaml`]: YAML.stringify(meta),
    [`courses/${ref.id}/lessons/01-introduction.md`]: lesson(1),
    [`courses/${ref.id}/lessons/02-in-practice.md`]: lesson(2),
    [`courses/${ref.id}/lessons/03-what-to-do.md`]: lesson(3),
    [`courses/${ref.id}/questions.yaml`]: YAML.stringify([
      {
        id: "first-question",
        type: "single",
        kind: "scenario",
        prompt: "Write a question that puts the learner in a situation at work.",
        options: [
          { id: "a", text: "The right thing to do", correct: true },
          { id: "b", text: "A mistake a careless person might make" },
          { id: "c", text: "Another plausible mistake" },
        ],
        explanation: "Say why the right answer is right.",
      },
    ]),
  };
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

/** Sets keys in an agreement's front matter, keeping everything else as written. */
function withFrontMatter(markdown: string, values: Record<string, string | boolean>): string {
  const match = markdown.replace(/\r\n/g, "\n").match(/^---\n([\s\S]*?)\n---\n?([\s\S]*)$/);
  if (!match) return markdown;
  let meta = match[1];
  for (const [key, value] of Object.entries(values)) {
    const line = `${key}: ${value}`;
    meta = new RegExp(`^${key}:.*$`, "m").test(meta) ? meta.replace(new RegExp(`^${key}:.*$`, "m"), line) : `${meta}\n${line}`;
  }
  return `---\n${meta}\n---\n${match[2]}`;
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
  if (ref.kind === "course" && change === "major" && !isNew) await assignRecertification(db, ref.id, now);
  return version;
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

/** Every version's files are kept; this lists the published ones oldest first (for the export and the diff picker). */
export async function publishedVersions(db: Executor, ref: ItemRef) {
  return db
    .select({ id: contentVersions.id, version: contentVersions.version, publishedAt: contentVersions.publishedAt })
    .from(contentVersions)
    .where(and(eq(contentVersions.kind, ref.kind), eq(contentVersions.itemId, ref.id), eq(contentVersions.state, "published")))
    .orderBy(asc(contentVersions.publishedAt));
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
