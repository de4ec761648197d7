import { index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * xAPI statements waiting for, or sent to, the learning record store
 * (`XAPI_LRS_URL`). The id is the statement's own id, derived from the event
 * it records (lib/xapi/statements.ts), so the same event is queued once and a
 * resend after a lost answer is a PUT of the same statement.
 */
export const xapiStatements = pgTable(
  "xapi_statements",
  {
    id: uuid("id").primaryKey(),
    /** The verb's short name (`completed`, `passed`, `earned`, …), for the admin list. */
    verb: text("verb").notNull(),
    statement: jsonb("statement").notNull(),
    status: text("status", { enum: ["queued", "sending", "sent", "failed"] })
      .notNull()
      .default("queued"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull(),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    sentAt: timestamp("sent_at", { withTimezone: true }),
  },
  (t) => [index("xapi_statements_due_idx").on(t.status, t.nextAttemptAt)],
);
