import { sql } from "drizzle-orm";
import { boolean, check, index, jsonb, pgTable, text, timestamp, unique, uniqueIndex, uuid } from "drizzle-orm/pg-core";

import { people } from "./people";

/** What an organisation can author in the app: courses and agreements, in the file format of content/. */
export const contentKinds = ["course", "agreement"] as const;
export type ContentKind = (typeof contentKinds)[number];

/**
 * draft: being edited; in_review: submitted, waiting for a second compliance admin;
 * published: in effect from `published_at` until a later publication of the same item;
 * discarded: a draft given up (kept, like every version).
 */
export const contentVersionStates = ["draft", "in_review", "published", "discarded"] as const;
export type ContentVersionState = (typeof contentVersionStates)[number];

export const contentChanges = ["major", "minor"] as const;
export type ContentChange = (typeof contentChanges)[number];

/**
 * Every version of an organisation's own course or agreement, kept forever.
 * `files` holds the item exactly as content/ would (paths relative to content/,
 * e.g. `courses/<id>/course.yaml`), so export and import are a copy. An item
 * with a published version replaces the shipped item of the same id.
 */
export const contentVersions = pgTable(
  "content_versions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: text("kind", { enum: contentKinds }).notNull(),
    itemId: text("item_id").notNull(),
    state: text("state", { enum: contentVersionStates }).notNull(),
    files: jsonb("files").$type<Record<string, string>>().notNull(),
    /** Set when published: the semantic version the publication received. */
    version: text("version"),
    change: text("change", { enum: contentChanges }),
    note: text("note"),
    /** The shipped version this line of versions was last taken from (for "update available"). */
    builtinVersion: text("builtin_version"),
    createdBy: uuid("created_by").references(() => people.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    updatedBy: uuid("updated_by").references(() => people.id),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
    submittedBy: uuid("submitted_by").references(() => people.id),
    submittedAt: timestamp("submitted_at", { withTimezone: true }),
    approvedBy: uuid("approved_by").references(() => people.id),
    approvedAt: timestamp("approved_at", { withTimezone: true }),
    publishedBy: uuid("published_by").references(() => people.id),
    publishedAt: timestamp("published_at", { withTimezone: true }),
  },
  (t) => [
    // One draft (or submission) per item at a time: a second editor opens the same draft.
    uniqueIndex("content_versions_open_unique")
      .on(t.kind, t.itemId)
      .where(sql`state in ('draft', 'in_review')`),
    unique("content_versions_version_unique").on(t.kind, t.itemId, t.version),
    index("content_versions_published_idx").on(t.kind, t.itemId, t.publishedAt),
    check(
      "content_versions_published_complete",
      sql`${t.state} <> 'published' or (${t.version} is not null and ${t.change} is not null and ${t.publishedAt} is not null)`,
    ),
    // Approval is a second person's: whoever submitted a version cannot approve it.
    check("content_versions_second_approver", sql`${t.approvedBy} is null or ${t.approvedBy} <> ${t.submittedBy}`),
  ],
);

/** Whether publishing a kind of content needs a second compliance admin's approval (no row: the default). */
export const contentSettings = pgTable("content_settings", {
  kind: text("kind", { enum: contentKinds }).primaryKey(),
  requireApproval: boolean("require_approval").notNull(),
  updatedBy: uuid("updated_by").references(() => people.id),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
});
