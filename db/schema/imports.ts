import { index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

import { people } from "./people";

export const importJobStatuses = ["validating", "ready", "applying", "applied", "failed", "cancelled"] as const;
export type ImportJobStatus = (typeof importJobStatuses)[number];

/**
 * A people import as a background job: the uploaded file (gzip, base64), what
 * validating it found, and the progress of applying it. A runner claims a job
 * with FOR UPDATE SKIP LOCKED and keeps `heartbeat_at` fresh; a job whose
 * heartbeat went stale is taken over by the next runner.
 */
export const importJobs = pgTable(
  "import_jobs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    createdBy: uuid("created_by").references(() => people.id),
    createdByLabel: text("created_by_label").notNull(),
    fileName: text("file_name").notNull(),
    fileBytes: integer("file_bytes").notNull(),
    fileSha256: text("file_sha256").notNull(),
    fileGz: text("file_gz").notNull(),
    status: text("status", { enum: importJobStatuses }).notNull().default("validating"),
    /** Rows, to create, to update, unchanged, invalid: as the preview found them. */
    summary: jsonb("summary"),
    problemCount: integer("problem_count").notNull().default(0),
    /** The first problems, for the page: [{ row, column, value, message }]. */
    problemsPreview: jsonb("problems_preview"),
    /** Every problem as CSV (row, column, value, message), gzip, base64. */
    problemsCsvGz: text("problems_csv_gz"),
    /** What applying did: { created, updated }. */
    result: jsonb("result"),
    error: text("error"),
    phase: text("phase"),
    rowsDone: integer("rows_done").notNull().default(0),
    rowsTotal: integer("rows_total").notNull().default(0),
    /** Applying commits in steps: the rows of the file (in file order) done so far, and what they did. */
    applyCursor: integer("apply_cursor").notNull().default(0),
    appliedCreated: integer("applied_created").notNull().default(0),
    appliedUpdated: integer("applied_updated").notNull().default(0),
    claimToken: uuid("claim_token"),
    heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }),
    attempts: integer("attempts").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    validatedAt: timestamp("validated_at", { withTimezone: true }),
    applyRequestedAt: timestamp("apply_requested_at", { withTimezone: true }),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [index("import_jobs_status_idx").on(t.status, t.heartbeatAt)],
);
