import { sql } from "drizzle-orm";
import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

import { people } from "./people";

export const evidencePackStatuses = ["queued", "running", "ready", "failed"] as const;
export type EvidencePackStatus = (typeof evidencePackStatuses)[number];

/**
 * An evidence pack as a background job: what was asked (period, scope,
 * overdue allowance), its progress, and the finished ZIP (encrypted at rest,
 * with its size and SHA-256). A runner claims a job with FOR UPDATE SKIP
 * LOCKED and keeps `heartbeat_at` fresh; a job whose heartbeat went stale is
 * taken over by the next runner. One person has at most one pending pack per
 * period and scope: asking again while it runs returns the same job.
 */
export const evidencePacks = pgTable(
  "evidence_packs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    createdBy: uuid("created_by").references(() => people.id),
    createdByLabel: text("created_by_label").notNull(),
    /** First and last day of the period (UTC, both included), YYYY-MM-DD. */
    periodFrom: text("period_from").notNull(),
    periodTo: text("period_to").notNull(),
    /** The department the pack covers; null for the whole organisation. */
    departmentId: text("department_id"),
    overdueDays: integer("overdue_days").notNull(),
    status: text("status", { enum: evidencePackStatuses }).notNull().default("queued"),
    phase: text("phase"),
    rowsDone: integer("rows_done").notNull().default(0),
    rowsTotal: integer("rows_total").notNull().default(0),
    error: text("error"),
    claimToken: uuid("claim_token"),
    heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }),
    attempts: integer("attempts").notNull().default(0),
    /** The ZIP of a pack made before packs were stored in parts (evidence_pack_parts), AES-256-GCM. */
    zipEnc: text("zip_enc"),
    zipBytes: integer("zip_bytes"),
    zipSha256: text("zip_sha256"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    index("evidence_packs_status_idx").on(t.status, t.heartbeatAt),
    index("evidence_packs_created_idx").on(t.createdAt),
    uniqueIndex("evidence_packs_pending_once")
      .on(t.createdBy, t.periodFrom, t.periodTo, sql`coalesce(${t.departmentId}, '')`, t.overdueDays)
      .where(sql`status in ('queued', 'running')`),
  ],
);

/**
 * A finished pack's ZIP, stored in parts of a few MiB as it is written, so
 * no process holds a whole pack and no value approaches PostgreSQL's 1 GB
 * field limit. Each part is encrypted on its own (AES-256-GCM), bound to its
 * pack and its place, so parts cannot be swapped, dropped or moved between
 * packs unnoticed; the pack's recorded SHA-256 covers the whole ZIP.
 */
export const evidencePackParts = pgTable(
  "evidence_pack_parts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    packId: uuid("pack_id")
      .notNull()
      .references(() => evidencePacks.id, { onDelete: "cascade" }),
    seq: integer("seq").notNull(),
    dataEnc: text("data_enc").notNull(),
  },
  (t) => [uniqueIndex("evidence_pack_parts_place").on(t.packId, t.seq)],
);
