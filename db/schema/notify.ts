import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

import { people } from "./people";

export const outboxStatuses = ["queued", "sending", "sent", "failed"] as const;

/**
 * Every email is a row, rendered when queued — or, for messages queued in bulk
 * (the welcome of a new person), stored as a small encrypted payload and
 * rendered when sent. `dedupe_key` (kind + person +
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
    // Props rendered at delivery, as encrypted JSON bound to the dedupe key (they may hold a set-password link).
    payloadEnc: text("payload_enc"),
    // Dedupe keys of messages this one stands for: a welcome lists what is due, so those reminders are not sent apart.
    covers: text("covers").array(),
    status: text("status", { enum: outboxStatuses }).notNull().default("queued"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp("sent_at", { withTimezone: true }),
  },
  (t) => [
    index("outbox_due_idx").on(t.status, t.nextAttemptAt),
    index("outbox_person_idx").on(t.personId),
    // The notification centre: a person's messages, newest first.
    index("outbox_person_created_idx").on(t.personId, t.createdAt),
  ],
);

/** How often routine notifications go out: each as it comes, or gathered into a daily or weekly digest. */
export const emailCadences = ["each", "daily", "weekly"] as const;
export type EmailCadence = (typeof emailCadences)[number];

/**
 * A routine notification waiting for its person's digest (lib/notify/digests.ts).
 * `key` is the dedupe key the message would have had alone, so it is recorded
 * once. The digest that carries it sets `digest_key` (its outbox dedupe key) in
 * the same statement that claims it; an item whose reason went away before
 * then (the course was completed) gets `dropped_at` instead.
 */
export const digestItems = pgTable(
  "digest_items",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    personId: uuid("person_id")
      .notNull()
      .references(() => people.id),
    key: text("key").notNull().unique(),
    /** What the digest lists: title, kind, status, date (ISO) and path. */
    item: jsonb("item").notNull(),
    /** Why it is due, checked again before sending: an open assignment, a certification, an agreement. */
    reason: jsonb("reason").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    digestKey: text("digest_key"),
    droppedAt: timestamp("dropped_at", { withTimezone: true }),
  },
  (t) => [
    index("digest_items_pending_idx")
      .on(t.personId)
      .where(sql`${t.digestKey} is null and ${t.droppedAt} is null`),
  ],
);
