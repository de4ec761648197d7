import "server-only";

import { and, inArray } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { contentVersions, type ContentKind } from "@/db/schema";
import type { AuditContext } from "@/lib/audit/record";
import { assertMay } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { DomainError } from "@/lib/errors";
import { readZip, ZipReadError } from "@/lib/evidence/zip-reader";
import { zip } from "@/lib/privacy/zip";

import { importDrafts } from "./authoring";
import { checkItemPaths, problemsOf, type ItemFiles, type ItemRef } from "./item-files";
import type { ContentProblem } from "./load";
import { fromStored, isBinaryPath, toStored } from "./overlay";
import { publishedFiles } from "./published";

/**
 * Import and export of an organisation's own content as a ZIP laid out exactly
 * like content/ (`courses/<id>/…`, `agreements/<id>.md`): an export can be
 * committed to the organisation's repository or imported elsewhere, and an
 * import is checked by the same loader as `npm run content:check`.
 */

export const MAX_IMPORT_ZIP_BYTES = 25_000_000;
const MAX_IMPORT_ENTRIES = 400;
const MAX_IMPORT_UNPACKED = 60_000_000;

/** The organisation's published courses and agreements, each at its latest version, as a ZIP. */
export async function exportOwnContent(db: Executor, viewer: Viewer, now = new Date()): Promise<{ zip: Buffer; files: number }> {
  assertMay(viewer, "oversee");
  const own = await publishedFiles(db);
  // A policy PDF or a lesson image goes out as the file itself, like every other file as it would sit in content/.
  const files = [...own.keys()].sort().map((name) => ({ name, data: fromStored(name, own.get(name)!) }));
  return { zip: zip(files, now), files: files.length };
}

/** Which item a path in an import belongs to, or why it cannot be imported. */
export function itemOfPath(rel: string): { ref: ItemRef } | { problem: string } {
  if (rel.includes("\\") || rel.startsWith("/") || rel.split("/").some((part) => part === ".." || part === "." || part === ""))
    return { problem: "unsafe path: entries must be relative, with no '..', '.' or backslashes" };
  const course = rel.match(/^courses\/([a-z0-9]+(?:-[a-z0-9]+)*)\/(course\.yaml|questions\.yaml|lessons\/\d{2}-[a-z0-9-]+\.md|images\/[a-z0-9]+(?:-[a-z0-9]+)*\.(?:png|jpg|jpeg|webp))$/);
  if (course) return { ref: { kind: "course", id: course[1] } };
  const agreement = rel.match(/^agreements\/([a-z0-9]+(?:-[a-z0-9]+)*)\.(?:md|pdf)$/);
  if (agreement) return { ref: { kind: "agreement", id: agreement[1] } };
  return { problem: "not a course or agreement file (courses/<id>/course.yaml, questions.yaml, lessons/NN-name.md, images/name.png|jpg|jpeg|webp, or agreements/<id>.md and its .pdf)" };
}

export type ImportResult = { ok: true; drafts: { kind: ContentKind; id: string; draftId: string }[] } | { ok: false; problems: ContentProblem[] };

/**
 * Reads a ZIP of content and, when every item in it passes the content check,
 * opens a draft of each (to be reviewed and published like any other). Nothing
 * is written unless the whole archive is good; an item that already has a draft
 * in progress refuses the import.
 */
export async function importContentZip(db: Executor, viewer: Viewer, context: AuditContext, archive: Buffer, now = new Date()): Promise<ImportResult> {
  assertMay(viewer, "administer");
  if (archive.length > MAX_IMPORT_ZIP_BYTES)
    return { ok: false, problems: [{ file: "(zip)", field: "(size)", problem: `is ${Math.ceil(archive.length / 1_000_000)} MB; the most accepted is ${MAX_IMPORT_ZIP_BYTES / 1_000_000} MB` }] };
  let entries;
  try {
    entries = readZip(archive, { maxEntries: MAX_IMPORT_ENTRIES, maxBytes: MAX_IMPORT_UNPACKED });
  } catch (error) {
    if (error instanceof ZipReadError) return { ok: false, problems: [{ file: "(zip)", field: "(archive)", problem: error.message }] };
    throw error;
  }
  const problems: ContentProblem[] = [];
  const items = new Map<string, { ref: ItemRef; files: ItemFiles }>();
  for (const entry of entries) {
    const rel = entry.path.replace(/^content\//, "");
    if (rel.endsWith("/") || rel === "README.md") continue; // folders, and a README kept beside the content
    const found = itemOfPath(rel);
    if ("problem" in found) {
      problems.push({ file: entry.path, field: "(path)", problem: found.problem });
      continue;
    }
    const text = toStored(rel, entry.content);
    if (!isBinaryPath(rel) && Buffer.from(text, "utf8").compare(entry.content) !== 0) {
      problems.push({ file: rel, field: "(encoding)", problem: "is not UTF-8 text" });
      continue;
    }
    const key = `${found.ref.kind}:${found.ref.id}`;
    const item = items.get(key) ?? { ref: found.ref, files: {} };
    item.files[rel] = text;
    items.set(key, item);
  }
  if (!items.size && !problems.length) problems.push({ file: "(zip)", field: "(archive)", problem: "holds no courses or agreements" });
  if (problems.length) return { ok: false, problems };

  const own = await publishedFiles(db);
  // Each item is checked with the rest of the archive in place, as it would be served.
  const all = new Map(own);
  for (const { files } of items.values()) for (const [rel, text] of Object.entries(files)) all.set(rel, text);
  for (const { ref, files } of items.values()) {
    try {
      checkItemPaths(ref, files);
    } catch (error) {
      if (error instanceof DomainError) problems.push({ file: Object.keys(files)[0], field: "(item)", problem: error.message });
      else throw error;
      continue;
    }
    problems.push(...problemsOf(all, ref, files).problems);
  }
  const refs = [...items.values()].map((i) => i.ref);
  const open = await db
    .select({ kind: contentVersions.kind, itemId: contentVersions.itemId })
    .from(contentVersions)
    .where(and(inArray(contentVersions.state, ["draft", "in_review"]), inArray(contentVersions.itemId, refs.map((r) => r.id))));
  for (const o of open.filter((o) => refs.some((r) => r.kind === o.kind && r.id === o.itemId)))
    problems.push({ file: o.kind === "course" ? `courses/${o.itemId}/` : `agreements/${o.itemId}.md`, field: "(draft)", problem: "has a draft in progress: publish or discard it, then import again" });
  if (problems.length) return { ok: false, problems };

  const drafts = await importDrafts(db, viewer, context, [...items.values()], now);
  return { ok: true, drafts };
}


