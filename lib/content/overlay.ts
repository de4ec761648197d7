import path from "node:path";

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
    const rel = path.relative(root, file).split(path.sep).join("/");
    const course = rel.match(/^courses\/([^/]+)(\/|$)/);
    return course !== null && ownCourses.has(course[1]) && !abs.has(file);
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
  };
}

/** The paths an item's files may have, relative to content/. */
export function itemPathPattern(kind: "course" | "agreement", id: string): RegExp {
  const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return kind === "course"
    ? new RegExp(`^courses/${escaped}/(course\\.yaml|questions\\.yaml|lessons/[^/]+\\.md)$`)
    : new RegExp(`^agreements/${escaped}\\.md$`);
}

/** The shipped files of one item, as paths relative to content/ (empty when nothing ships under that id). */
export function shippedFiles(root: string, kind: "course" | "agreement", id: string, files: ContentFiles = diskFiles): Record<string, string> {
  const out: Record<string, string> = {};
  if (kind === "agreement") {
    const file = path.join(root, "agreements", `${id}.md`);
    if (files.exists(file)) out[`agreements/${id}.md`] = files.read(file);
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
  return out;
}
