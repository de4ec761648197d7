import "server-only";

import { and, asc, desc, eq, inArray } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { contentVersions, people, type ContentVersionState } from "@/db/schema";
import { assertMay } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { NotFoundError } from "@/lib/errors";

import { itemKey, loadWith, titleOf, type ItemFiles, type ItemRef } from "./item-files";
import { CONTENT_DIR, loadContent } from "./load";
import { shippedFiles } from "./overlay";
import { publishedFiles } from "./published";

/** Reading an organisation's content: every item with its state, every version of one, and any version's files. */

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

/** Every version's files are kept; this lists the published ones oldest first (for the export and the diff picker). */
export async function publishedVersions(db: Executor, ref: ItemRef) {
  return db
    .select({ id: contentVersions.id, version: contentVersions.version, publishedAt: contentVersions.publishedAt })
    .from(contentVersions)
    .where(and(eq(contentVersions.kind, ref.kind), eq(contentVersions.itemId, ref.id), eq(contentVersions.state, "published")))
    .orderBy(asc(contentVersions.publishedAt));
}
