import { bigint, bigserial, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * Append-only, hash-chained. `hash` = HMAC-SHA-256 under the audit chain key
 * named by `key_id` over the canonical encoding of the event including
 * `prev_hash`; events written before the chain was keyed have no `key_id` and
 * a plain SHA-256. See lib/audit/canonical.ts.
 */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true, precision: 3 }).notNull(),
    actorId: uuid("actor_id"),
    actorLabel: text("actor_label").notNull(),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    data: jsonb("data").notNull().default({}),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull().unique(),
    keyId: text("key_id"),
  },
  (t) => [
    // By action and time: the evidence pack reads one action's events of a period in time order (lapses).
    index("audit_events_action_at_idx").on(t.action, t.at),
    index("audit_events_actor_idx").on(t.actorId),
    index("audit_events_target_idx").on(t.targetType, t.targetId),
  ],
);

export const checkpointTriggers = ["scheduled", "manual"] as const;

/**
 * Signed statements of the chain's head (lib/audit/checkpoints.ts). `document`
 * is the self-contained JSON file exactly as it is downloaded; the other
 * columns repeat what it says for listing. `slot` (the UTC hour) makes the
 * scheduled checkpoint once per hour however many workers run.
 */
export const auditCheckpoints = pgTable(
  "audit_checkpoints",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull(),
    trigger: text("trigger", { enum: checkpointTriggers }).notNull(),
    slot: text("slot").unique(),
    requestedBy: uuid("requested_by"),
    headId: bigint("head_id", { mode: "number" }).notNull(),
    headHash: text("head_hash").notNull(),
    eventCount: bigint("event_count", { mode: "number" }).notNull(),
    document: text("document").notNull(),
  },
  (t) => [index("audit_checkpoints_created_idx").on(t.createdAt)],
);
