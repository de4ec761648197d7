import { createHash } from "node:crypto";

import YAML, { isScalar } from "yaml";

import type { ContentChange, ContentKind } from "@/db/schema";
import { DomainError } from "@/lib/errors";

import { declaredType, IMAGE_NAME, isImagePath, MAX_LESSON_IMAGE_BYTES, MAX_LESSON_IMAGES, sniffImage } from "./images";
import { CONTENT_DIR, loadContent, MAX_POLICY_PDF_BYTES, type ContentProblem, type ContentSet } from "./load";
import { isBinaryPath, itemPathPattern, overlayFiles } from "./overlay";
import { BANK_BAR, bankProblems, bankStats, jaccard, lessonCitations, promptTokens } from "./rules";

/**
 * An item's files as a version holds them, and what is checked of them before
 * they are saved or published: their paths and sizes, the content check of
 * the loader and of `npm run content:check`, and the version they carry.
 * No database: lib/content/authoring.ts stores and publishes them.
 */

export type ItemFiles = Record<string, string>;
export type ItemRef = { kind: ContentKind; id: string };


/** The most a version may hold: enough for six long lessons and a large bank, small enough to keep forever. */
export const MAX_ITEM_BYTES = 500_000;
/** Room for six lessons, the bank, the settings and the images. */
const MAX_FILES = 24;

const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export function itemKey(ref: ItemRef) {
  return `${ref.kind}:${ref.id}`;
}

export function assertItemId(id: string) {
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
export function binaryFiles(files: ItemFiles): ItemFiles {
  return Object.fromEntries(Object.entries(files).filter(([p]) => isBinaryPath(p)));
}

export function isItemPath(ref: ItemRef, rel: string) {
  return itemPathPattern(ref.kind, ref.id).test(rel);
}

export function withItem(own: ReadonlyMap<string, string>, ref: ItemRef, files: ItemFiles): Map<string, string> {
  const next = new Map([...own].filter(([rel]) => !isItemPath(ref, rel)));
  for (const [rel, text] of Object.entries(files)) next.set(rel, text);
  return next;
}

export function loadWith(own: ReadonlyMap<string, string>): ContentSet {
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
  // A course that plays a SCORM package has no bank or lessons of its own: the package is held to its own rules.
  if (!course || course.package) return [];
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
export function versionOf(content: ContentSet, ref: ItemRef): string | null {
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

/** Sets keys in an agreement's front matter, keeping everything else as written. */
export function withFrontMatter(markdown: string, values: Record<string, string | boolean>): string {
  const match = markdown.replace(/\r\n/g, "\n").match(/^---\n([\s\S]*?)\n---\n?([\s\S]*)$/);
  if (!match) return markdown;
  let meta = match[1];
  for (const [key, value] of Object.entries(values)) {
    const line = `${key}: ${value}`;
    meta = new RegExp(`^${key}:.*$`, "m").test(meta) ? meta.replace(new RegExp(`^${key}:.*$`, "m"), line) : `${meta}\n${line}`;
  }
  return `---\n${meta}\n---\n${match[2]}`;
}
