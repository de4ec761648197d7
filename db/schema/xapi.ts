import { sql } from "drizzle-orm";
import { check, index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

import { people } from "./people";

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

/**
 * The learning record store a compliance admin connected in Admin → Webhooks
 * (one row at most). Used only when the deployment sets no `XAPI_LRS_URL`,
 * which takes precedence. The secret is encrypted under the row's
 * `connection_id`, so a sealed secret copied elsewhere does not open; it is
 * never read back to a page.
 */
export const lrsSettings = pgTable(
  "lrs_settings",
  {
    id: integer("id").primaryKey().default(1),
    /** New on each connection; the secret's associated data. */
    connectionId: uuid("connection_id").notNull(),
    /** The LRS endpoint, ending before `statements`. */
    endpoint: text("endpoint").notNull(),
    /** The LRS key (HTTP Basic user name); null for a store that needs none. */
    username: text("username"),
    secretEnc: text("secret_enc"),
    actor: text("actor", { enum: ["account", "mbox"] })
      .notNull()
      .default("account"),
    updatedBy: uuid("updated_by").references(() => people.id),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
  },
  (t) => [check("lrs_settings_one_row", sql`${t.id} = 1`)],
);
