import path from "node:path";

import { IMAGE_NAME, isImagePath } from "./images";
import { diskFiles, type ContentFiles } from "./load";

/**
 * The shipped content/ folder with an organisation's own items laid over it.
 * `own` maps paths relative to the root (`courses/<id>/course.yaml`,
 * `agreements/<id>.md`) to file text. An own course replaces the shipped
 * folder of the same id whole (a lesson deleted in the app stays deleted); an
 * own agreement replaces the shipped file.
 */
export function overlayFiles(root: string, own: ReadonlyMap<string, string>, base: ContentFiles = diskFiles): ContentFiles {
  const abs = new Map<string, string>();
  const ownCourses = new Set<string>();
  for (const [rel, text] of own) {
    abs.set(path.join(root, rel), text);
    const course = rel.match(/^courses\/([^/]+)\//);
    if (course) ownCourses.add(course[1]);
  }
  const hidden = (file: string) => {
    if (abs.has(file)) return false;
    const rel = path.relative(root, file).split(path.sep).join("/");
    const course = rel.match(/^courses\/([^/]+)(\/|$)/);
    if (course) return ownCourses.has(course[1]);
    // An own agreement comes whole: a shipped PDF beside it does not show through.
    const agreement = rel.match(/^agreements\/([^/]+)\.pdf$/);
    return agreement !== null && abs.has(path.join(root, "agreements", `${agreement[1]}.md`));
  };
  return {
    exists(file) {
      if (abs.has(file)) return true;
      if ([...abs.keys()].some((k) => k.startsWith(file + path.sep))) return true;
      return !hidden(file) && base.exists(file);
    },
    list(dir) {
      const names = new Set(base.list(dir).filter((name) => !hidden(path.join(dir, name))));
      for (const key of abs.keys()) {
        if (!key.startsWith(dir + path.sep)) continue;
        names.add(key.slice(dir.length + 1).split(path.sep)[0]);
      }
      return [...names];
    },
    read(file) {
      const text = abs.get(file);
      if (text !== undefined) return text;
      if (hidden(file)) throw new Error(`${file} is not part of this content`);
      return base.read(file);
    },
    bytes(file) {
      const stored = abs.get(file);
      if (stored !== undefined) return fromStored(file, stored);
      if (hidden(file)) throw new Error(`${file} is not part of this content`);
      return base.bytes(file);
    },
  };
}

/**
 * Binary files (policy PDFs, lesson images) are kept in a version's files as
 * base64 text; all others as the text itself.
 */
export const isBinaryPath = (rel: string) => rel.endsWith(".pdf") || isImagePath(rel);

export function fromStored(rel: string, stored: string): Buffer {
  return isBinaryPath(rel) ? Buffer.from(stored, "base64") : Buffer.from(stored, "utf8");
}

export function toStored(rel: string, bytes: Buffer): string {
  return isBinaryPath(rel) ? bytes.toString("base64") : bytes.toString("utf8");
}

/** The paths an item's files may have, relative to content/. */
export function itemPathPattern(kind: "course" | "agreement", id: string): RegExp {
  const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return kind === "course"
    ? new RegExp(`^courses/${escaped}/(course\\.yaml|questions\\.yaml|lessons/[^/]+\\.md|images/[^/]+\\.(png|jpg|jpeg|webp))$`)
    : new RegExp(`^agreements/${escaped}\\.(md|pdf)$`);
}

/** The shipped files of one item, as paths relative to content/ (empty when nothing ships under that id). */
export function shippedFiles(root: string, kind: "course" | "agreement", id: string, files: ContentFiles = diskFiles): Record<string, string> {
  const out: Record<string, string> = {};
  if (kind === "agreement") {
    const file = path.join(root, "agreements", `${id}.md`);
    if (files.exists(file)) out[`agreements/${id}.md`] = files.read(file);
    const pdf = path.join(root, "agreements", `${id}.pdf`);
    if (files.exists(pdf)) out[`agreements/${id}.pdf`] = toStored(pdf, files.bytes(pdf));
    return out;
  }
  const dir = path.join(root, "courses", id);
  for (const name of ["course.yaml", "questions.yaml"]) {
    const file = path.join(dir, name);
    if (files.exists(file)) out[`courses/${id}/${name}`] = files.read(file);
  }
  for (const name of files.list(path.join(dir, "lessons")).filter((n) => n.endsWith(".md")).sort()) {
    out[`courses/${id}/lessons/${name}`] = files.read(path.join(dir, "lessons", name));
  }
  for (const name of files.list(path.join(dir, "images")).filter((n) => IMAGE_NAME.test(n)).sort()) {
    const rel = `courses/${id}/images/${name}`;
    out[rel] = toStored(rel, files.bytes(path.join(dir, "images", name)));
  }
  return out;
}
