import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import path from "node:path";
import YAML from "yaml";
import type { z } from "zod";
import { declaredType, IMAGE_NAME, MAX_LESSON_IMAGE_BYTES, MAX_LESSON_IMAGES, sniffImage } from "./images";
import {
  AGREEMENT_PLACEHOLDERS,
  accessRolesSchema,
  agreementMetaSchema,
  courseMetaSchema,
  esignConsentMetaSchema,
  guideMetaSchema,
  privacyNoticeMetaSchema,
  questionBankSchema,
  retentionPolicySchema,
  type AccessRole,
  type AgreementMeta,
  type CourseMeta,
  type GuideMeta,
  type Question,
} from "./schemas";

/**
 * Reads and validates content/. Every problem is collected as
 * `file: field: problem` so one run of content:check names them all.
 */

/** `line`: where in the file the field is, when it can be told (YAML files and front matter). */
export type ContentProblem = { file: string; field: string; problem: string; line?: number };
export type { Question };
export type Lesson = { slug: string; index: number; title: string; markdown: string };
export type Course = CourseMeta & { lessons: Lesson[]; questions: Question[] };
/** `pdf`: the policy document people open and sign, when the agreement is one (its bytes are read when served). */
export type Agreement = AgreementMeta & { body: string; pdf?: { sha256: string; bytes: number } };

/** The most a policy PDF may weigh. */
export const MAX_POLICY_PDF_BYTES = 10_000_000;
export type Guide = GuideMeta & { slug: string; body: string };
export type PrivacyNotice = { title: string; lastUpdated: string; version: string; body: string };
export type RetentionRule = z.infer<typeof retentionPolicySchema>[number];

export type { AccessRole };
export type EsignConsent = { version: string; text: string };

export type ContentSet = {
  esignConsent: EsignConsent | null;
  accessRoles: AccessRole[];
  courses: Course[];
  agreements: Agreement[];
  guides: Guide[];
  privacyNotice: PrivacyNotice | null;
  retention: RetentionRule[];
  problems: ContentProblem[];
};

export const CONTENT_DIR = path.join(process.cwd(), "content");

/**
 * Where content files are read from: the shipped folder, or the shipped folder
 * with an organisation's own items laid over it (lib/content/overlay.ts). Paths
 * are absolute, under the root the set is loaded from.
 */
export type ContentFiles = {
  exists(file: string): boolean;
  /** Entry names (files and folders) directly inside a folder. */
  list(dir: string): string[];
  read(file: string): string;
  /** A binary file (a policy PDF) as it is stored. */
  bytes(file: string): Buffer;
};

export const diskFiles: ContentFiles = {
  exists: (file) => existsSync(file),
  list: (dir) => (existsSync(dir) ? readdirSync(dir) : []),
  read: (file) => readFileSync(file, "utf8"),
  bytes: (file) => readFileSync(file),
};

class Collector {
  problems: ContentProblem[] = [];
  constructor(
    private readonly root: string,
    readonly files: ContentFiles,
  ) {}
  rel(file: string) {
    return path.relative(path.dirname(this.root), file) || file;
  }
  add(file: string, field: string, problem: string, line?: number) {
    this.problems.push({ file: this.rel(file), field: field || "(file)", problem, ...(line ? { line } : {}) });
  }
  parse<S extends z.ZodType>(file: string, schema: S, value: unknown): z.infer<S> | null {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues)
      this.add(file, issue.path.join("."), issue.message, this.lineOf(file, issue.path as (string | number)[]));
    return null;
  }
  /** The line of a field in a YAML file or an agreement's front matter: the value's, else its nearest parent's. */
  private lineOf(file: string, at: (string | number)[]): number | undefined {
    try {
      const raw = this.files.read(file).replace(/\r\n/g, "\n");
      const front = file.endsWith(".md") ? raw.match(/^---\n([\s\S]*?)\n---/) : null;
      if (file.endsWith(".md") && !front) return undefined;
      const text = front ? front[1] : raw;
      const doc = YAML.parseDocument(text);
      for (let depth = at.length; depth >= 0; depth--) {
        const node = depth === 0 ? doc.contents : doc.getIn(at.slice(0, depth), true);
        const offset = (node as { range?: [number, number, number] } | undefined)?.range?.[0];
        if (offset !== undefined) return text.slice(0, offset).split("\n").length + (front ? 1 : 0);
      }
    } catch {
      // No line, then: the field still names the place.
    }
    return undefined;
  }
  readYaml(file: string): unknown {
    try {
      return YAML.parse(this.files.read(file));
    } catch (error) {
      this.add(file, "(yaml)", error instanceof Error ? error.message.split("\n")[0] : "cannot be parsed", yamlErrorLine(error));
      return undefined;
    }
  }
  readFrontMatter(file: string): { data: unknown; body: string } | null {
    const raw = this.files.read(file).replace(/\r\n/g, "\n");
    const match = raw.match(/^---\n([\s\S]*?)\n---\n?([\s\S]*)$/);
    if (!match) {
      this.add(file, "(front matter)", "must start with a --- YAML block ---");
      return null;
    }
    try {
      return { data: YAML.parse(match[1]), body: match[2].trim() };
    } catch (error) {
      const line = yamlErrorLine(error);
      this.add(file, "(front matter)", error instanceof Error ? error.message.split("\n")[0] : "cannot be parsed", line && line + 1);
      return null;
    }
  }
}

/** The line a YAML syntax error points at. */
function yamlErrorLine(error: unknown): number | undefined {
  return (error as { linePos?: { line: number }[] } | null)?.linePos?.[0]?.line;
}

function listDir(c: Collector, dir: string, filter: (name: string) => boolean): string[] {
  return c.files.list(dir).filter(filter).sort();
}

function loadCourse(c: Collector, dir: string): Course | null {
  const slug = path.basename(dir);
  const metaFile = path.join(dir, "course.yaml");
  if (!c.files.exists(metaFile)) {
    c.add(metaFile, "(file)", "is missing");
    return null;
  }
  const meta = c.parse(metaFile, courseMetaSchema, c.readYaml(metaFile));
  if (meta && meta.id !== slug) c.add(metaFile, "id", `must equal the folder name "${slug}"`);

  if (meta?.package) return loadPackageCourse(c, dir, meta);

  const lessonDir = path.join(dir, "lessons");
  const lessonFiles = listDir(c, lessonDir, (n) => n.endsWith(".md"));
  const lessons: Lesson[] = [];
  lessonFiles.forEach((name, index) => {
    const file = path.join(lessonDir, name);
    if (!/^\d{2}-[a-z0-9-]+\.md$/.test(name)) c.add(file, "(file name)", "must look like 01-lesson-name.md");
    const markdown = c.files.read(file).replace(/\r\n/g, "\n").trim();
    const heading = markdown.match(/^# (.+)$/m);
    if (!heading || !markdown.startsWith("# ")) c.add(file, "(title)", "the first line must be '# Lesson title'");
    for (const [, src] of markdown.matchAll(/!\[[^\]]*\]\(\s*<?(images\/[^)\s>]*)/g)) {
      if (!IMAGE_NAME.test(src.slice("images/".length))) c.add(file, "(image)", `${src}: name images like images/floor-plan.png (.png, .jpg, .jpeg or .webp)`);
      else if (!c.files.exists(path.join(dir, src))) c.add(file, "(image)", `${src} is not in this course: attach it`);
    }
    lessons.push({ slug: name.replace(/^\d{2}-/, "").replace(/\.md$/, ""), index, title: heading?.[1].trim() ?? name, markdown: markdown.replace(/^# .+\n?/, "").trim() });
  });
  const imageDir = path.join(dir, "images");
  const images = listDir(c, imageDir, (n) => !n.startsWith("."));
  if (images.length > MAX_LESSON_IMAGES) c.add(imageDir, "(images)", `a course has at most ${MAX_LESSON_IMAGES} images, found ${images.length}`);
  for (const name of images) {
    const file = path.join(imageDir, name);
    if (!IMAGE_NAME.test(name)) c.add(file, "(file name)", "must look like floor-plan.png (.png, .jpg, .jpeg or .webp)");
    else {
      const bytes = c.files.bytes(file);
      if (sniffImage(bytes) !== declaredType(name)) c.add(file, "(file)", `is not the ${declaredType(name)} image its name says`);
      else if (bytes.length > MAX_LESSON_IMAGE_BYTES) c.add(file, "(file)", `is larger than ${MAX_LESSON_IMAGE_BYTES / 1_000_000} MB`);
    }
  }
  if (lessons.length < 3 || lessons.length > 6) c.add(lessonDir, "(lessons)", `a course needs 3 to 6 lessons, found ${lessons.length}`);

  const questionFile = path.join(dir, "questions.yaml");
  const questions = c.files.exists(questionFile) ? c.parse(questionFile, questionBankSchema, c.readYaml(questionFile)) : (c.add(questionFile, "(file)", "is missing"), null);
  if (meta && questions && meta.questionsPerAttempt > questions.length) {
    c.add(metaFile, "questionsPerAttempt", `is ${meta.questionsPerAttempt} but the bank has only ${questions.length} questions`);
  }
  if (!meta || !questions) return null;
  return { ...meta, lessons, questions };
}

/** A course that plays a SCORM package: the package is its lessons and its test, so it has none of its own. */
function loadPackageCourse(c: Collector, dir: string, meta: CourseMeta): Course {
  for (const own of ["lessons", "images"]) {
    if (listDir(c, path.join(dir, own), () => true).length)
      c.add(path.join(dir, own), `(${own})`, "a course that plays a SCORM package has no lessons or images of its own: remove them");
  }
  if (c.files.exists(path.join(dir, "questions.yaml")))
    c.add(path.join(dir, "questions.yaml"), "(file)", "a course that plays a SCORM package has no questions of its own: remove it");
  return { ...meta, lessons: [], questions: [] };
}

function loadAgreement(c: Collector, file: string): Agreement | null {
  const parsed = c.readFrontMatter(file);
  if (!parsed) return null;
  const meta = c.parse(file, agreementMetaSchema, parsed.data);
  const id = path.basename(file, ".md");
  if (meta && meta.id !== id) c.add(file, "id", `must equal the file name "${id}"`);
  for (const [, name] of parsed.body.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
    if (!(AGREEMENT_PLACEHOLDERS as readonly string[]).includes(name)) c.add(file, "(body)", `unknown placeholder {{${name}}}`);
    if (name === "partner.name" && meta?.audience !== "partner") c.add(file, "(body)", "{{partner.name}} is only for partner agreements");
  }
  let pdf: Agreement["pdf"];
  if (meta?.document === "pdf") {
    const pdfFile = file.replace(/\.md$/, ".pdf");
    if (!c.files.exists(pdfFile)) c.add(file, "document", `${path.basename(pdfFile)} is missing: attach the PDF`);
    else {
      const bytes = c.files.bytes(pdfFile);
      if (bytes.subarray(0, 5).toString("latin1") !== "%PDF-") c.add(pdfFile, "(file)", "is not a PDF");
      else if (bytes.length > MAX_POLICY_PDF_BYTES) c.add(pdfFile, "(file)", `is larger than ${MAX_POLICY_PDF_BYTES / 1_000_000} MB`);
      else pdf = { sha256: createHash("sha256").update(bytes).digest("hex"), bytes: bytes.length };
    }
  }
  return meta ? { ...meta, body: parsed.body, ...(pdf ? { pdf } : {}) } : null;
}

function loadGuide(c: Collector, file: string): Guide | null {
  const parsed = c.readFrontMatter(file);
  if (!parsed) return null;
  const meta = c.parse(file, guideMetaSchema, parsed.data);
  if (/^# /m.test(parsed.body)) c.add(file, "(body)", "must not contain an H1; the title comes from the front matter");
  return meta ? { ...meta, slug: path.basename(file, ".md"), body: parsed.body } : null;
}

export function loadContent(root = CONTENT_DIR, files: ContentFiles = diskFiles): ContentSet {
  const c = new Collector(root, files);
  const courseRoot = path.join(root, "courses");
  const courses = listDir(c, courseRoot, (n) => !n.startsWith(".") && !n.endsWith(".md"))
    .map((slug) => loadCourse(c, path.join(courseRoot, slug)))
    .filter((x): x is Course => x !== null);

  const agreementRoot = path.join(root, "agreements");
  const agreements = listDir(c, agreementRoot, (n) => n.endsWith(".md"))
    .map((n) => loadAgreement(c, path.join(agreementRoot, n)))
    .filter((x): x is Agreement => x !== null);

  const guideRoot = path.join(root, "guides");
  const guides = listDir(c, guideRoot, (n) => n.endsWith(".md"))
    .map((n) => loadGuide(c, path.join(guideRoot, n)))
    .filter((x): x is Guide => x !== null);
  const guideSlugs = new Set(guides.map((g) => g.slug));
  for (const guide of guides) {
    for (const related of guide.related) {
      if (!guideSlugs.has(related)) c.add(path.join(guideRoot, `${guide.slug}.md`), "related", `no guide called "${related}"`);
    }
  }

  let privacyNotice: PrivacyNotice | null = null;
  const noticeFile = path.join(root, "privacy-notice.md");
  if (c.files.exists(noticeFile)) {
    const parsed = c.readFrontMatter(noticeFile);
    const meta = parsed && c.parse(noticeFile, privacyNoticeMetaSchema, parsed.data);
    if (parsed && meta) privacyNotice = { ...meta, body: parsed.body };
  }

  const retentionFile = path.join(root, "retention-policy.yaml");
  const retention = c.files.exists(retentionFile) ? (c.parse(retentionFile, retentionPolicySchema, c.readYaml(retentionFile)) ?? []) : [];

  let esignConsent: EsignConsent | null = null;
  const consentFile = path.join(root, "esign-consent.md");
  if (c.files.exists(consentFile)) {
    const parsed = c.readFrontMatter(consentFile);
    const meta = parsed && c.parse(consentFile, esignConsentMetaSchema, parsed.data);
    if (parsed && meta) esignConsent = { version: meta.version, text: parsed.body };
  } else {
    c.add(consentFile, "(file)", "is missing: agreements cannot be signed without a consent text");
  }

  const rolesFile = path.join(root, "access-roles.yaml");
  const accessRoles = c.files.exists(rolesFile) ? (c.parse(rolesFile, accessRolesSchema, c.readYaml(rolesFile)) ?? []) : [];
  const courseIds = new Set(courses.map((x) => x.id));
  const agreementIds = new Map(agreements.map((a) => [a.id, a.audience]));
  const seenRoles = new Set<string>();
  accessRoles.forEach((role, i) => {
    if (seenRoles.has(role.id)) c.add(rolesFile, `${i}.id`, `duplicate role id "${role.id}"`);
    seenRoles.add(role.id);
    role.courses.forEach((id, j) => courseIds.has(id) || c.add(rolesFile, `${i}.courses.${j}`, `unknown course "${id}"`));
    role.agreements.forEach((id, j) => {
      if (!agreementIds.has(id)) c.add(rolesFile, `${i}.agreements.${j}`, `unknown agreement "${id}"`);
      else if (agreementIds.get(id) !== "employee") c.add(rolesFile, `${i}.agreements.${j}`, `"${id}" is a partner agreement; roles need employee agreements`);
    });
    if (role.courses.length + role.agreements.length === 0) c.add(rolesFile, `${i}`, "a role must require at least one course or agreement");
  });

  return { esignConsent, accessRoles, courses, agreements, guides, privacyNotice, retention, problems: c.problems };
}

export function formatProblems(problems: ContentProblem[]): string[] {
  return problems.map((p) => `${p.file}${p.line ? `:${p.line}` : ""}: ${p.field}: ${p.problem}`);
}
