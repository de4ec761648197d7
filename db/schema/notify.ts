import { index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

import { people } from "./people";

export const outboxStatuses = ["queued", "sending", "sent", "failed"] as const;

/**
 * Every email is a row, rendered when queued. `dedupe_key` (kind + person +
 * item + period) is unique, so the same reminder is never queued twice.
 */
export const outbox = pgTable(
  "outbox",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: text("kind").notNull(),
    dedupeKey: text("dedupe_key").notNull().unique(),
    personId: uuid("person_id").references(() => people.id),
    toEmail: text("to_email").notNull(),
    subject: text("subject").notNull(),
    html: text("html"),
    text: text("text"),
    // Attachments (e.g. a signed PDF) as encrypted JSON: [{ filename, contentType, base64 }].
    attachmentsEnc: text("attachments_enc"),
    status: text("status", { enum: outboxStatuses }).notNull().default("queued"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp("sent_at", { withTimezone: true }),
  },
  (t) => [index("outbox_due_idx").on(t.status, t.nextAttemptAt), index("outbox_person_idx").on(t.personId)],
);
