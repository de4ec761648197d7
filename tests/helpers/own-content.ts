import { sql } from "drizzle-orm";

import type { Db } from "@/db/client";
import { serveOwnContent } from "@/lib/content";
import { approveDraft, openDraft, saveDraft, submitDraft } from "@/lib/content/authoring";
import type { ItemFiles, ItemRef } from "@/lib/content/item-files";
import { getVersion } from "@/lib/content/versions";

import { context, createPerson, viewerOf } from "./factories";

/**
 * Back to the shipped catalogue, for tests that publish an organisation's own
 * content: no own versions, no content settings, no course releases, and the
 * process's content cache cleared.
 */
export async function resetToShippedContent(db: Db): Promise<void> {
  await db.execute(sql`delete from content_versions`);
  await db.execute(sql`delete from content_settings`);
  await db.execute(sql`delete from course_releases`);
  serveOwnContent("shipped", new Map());
}

/**
 * Publishes `edit` of an item's current files as a new version, as a new
 * compliance admin would; a second one approves it where approval is needed.
 * Returns the version published.
 */
export async function publishOwnEdit(
  db: Db,
  ref: ItemRef,
  edit: (files: ItemFiles) => ItemFiles,
  { change = "minor", now = new Date() }: { change?: "minor" | "major"; now?: Date } = {},
): Promise<string> {
  const admin = async (name: string) => {
    const person = await createPerson(db, { name, roles: ["compliance_admin"] });
    return { viewer: viewerOf(person), ctx: context(person.id) };
  };
  const author = await admin("Author");
  const { id } = await openDraft(db, author.viewer, author.ctx, ref, { from: "current" }, now);
  const draft = await getVersion(db, author.viewer, id);
  const saved = await saveDraft(
    db,
    author.viewer,
    { draftId: id, files: edit({ ...draft.files }), expectedUpdatedAt: draft.updatedAt },
    new Date(now.getTime() + 1),
  );
  if (saved.problems.length) throw new Error(`the edit has problems: ${JSON.stringify(saved.problems)}`);
  const submitted = await submitDraft(db, author.viewer, author.ctx, { draftId: id, change }, now);
  if (submitted.state === "published") return submitted.version!;
  const approver = await admin("Approver");
  return (await approveDraft(db, approver.viewer, approver.ctx, id, now)).version;
}
