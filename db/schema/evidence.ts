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
    /** The ZIP, AES-256-GCM (lib/crypto/encryption), once ready. */
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
