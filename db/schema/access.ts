import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";

import { people } from "./people";

export const grantStatuses = ["requested", "approved", "denied", "revoked"] as const;
export type GrantStatus = (typeof grantStatuses)[number];

/**
 * A request for a data-access role and what became of it. Approval makes it a
 * grant; holding the role also needs current training and agreements, which
 * are checked at decision time (lib/access/decide.rules.ts).
 */
export const accessGrants = pgTable(
  "access_grants",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    personId: uuid("person_id")
      .notNull()
      .references(() => people.id),
    roleId: text("role_id").notNull(),
    status: text("status", { enum: grantStatuses }).notNull().default("requested"),
    justification: text("justification").notNull(),
    requestedAt: timestamp("requested_at", { withTimezone: true }).notNull(),
    decidedBy: uuid("decided_by").references(() => people.id),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
    decisionComment: text("decision_comment"),
    endsAt: timestamp("ends_at", { withTimezone: true }),
    revokedBy: uuid("revoked_by").references(() => people.id),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    revokeReason: text("revoke_reason"),
    // Set by the scheduler when a held role becomes blocked, cleared when it is held again: one lapse event per lapse.
    // Set to decided_at by an approval whose requirements are not met yet: a grant not yet in effect never lapses.
    lapsedAt: timestamp("lapsed_at", { withTimezone: true }),
  },
  (t) => [
    index("access_grants_person_role_idx").on(t.personId, t.roleId),
    index("access_grants_role_status_idx").on(t.roleId, t.status),
    // The evidence pack reads a period's approvals in time order, a page at a time.
    index("access_grants_decided_idx").on(t.decidedAt),
  ],
);

/**
 * The organisation-wide revision of everything an access decision reads: one
 * row, advanced once by every committed transaction that changes grants,
 * certifications, signatures, course releases, a person's status or publishes a
 * course or agreement (database triggers, migrations 0014_access_revision and
 * 0022_content_authoring). Every answer carries the revision
 * it was read at; a caller may ask for an answer at least as fresh as one it
 * has seen. Never restored from a backup: it only moves forward, and starts
 * from the clock (milliseconds) so a restored database never reuses a number.
 */
export const accessRevision = pgTable(
  "access_revision",
  {
    id: boolean("id").primaryKey().default(true),
    revision: bigint("revision", { mode: "number" }).notNull(),
    changedAt: timestamp("changed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("access_revision_single_row", sql`${t.id}`)],
);

export const apiScopes = ["access:check", "access:read", "events:write", "audit:read", "scim"] as const;
export type ApiScope = (typeof apiScopes)[number];

export const apiClients = pgTable("api_clients", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  scopes: text("scopes").array().notNull(),
  tokenHash: text("token_hash").notNull().unique(),
  tokenPrefix: text("token_prefix").notNull(),
  rateLimitPerMinute: integer("rate_limit_per_minute").notNull().default(6000),
  createdBy: uuid("created_by").references(() => people.id),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
  lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
  revokedAt: timestamp("revoked_at", { withTimezone: true }),
});

/** Fixed-window counters shared by every app instance (API clients, sign-in, OTP, verification). */
export const rateLimits = pgTable(
  "rate_limits",
  {
    key: text("key").notNull(),
    windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
    count: integer("count").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.key, t.windowStart] })],
);

/** Every answer the decision API gave: who asked, about whom, which role, the result. */
export const accessDecisions = pgTable(
  "access_decisions",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true }).notNull(),
    clientId: uuid("client_id"),
    personId: uuid("person_id"),
    subject: text("subject").notNull(),
    roleId: text("role_id").notNull(),
    allow: boolean("allow").notNull(),
    reasons: text("reasons").array().notNull(),
  },
  (t) => [index("access_decisions_at_idx").on(t.at), index("access_decisions_person_idx").on(t.personId)],
);

/** Data operations reported by other systems, each marked with whether the person held the role then. */
export const dataOperationEvents = pgTable(
  "data_operation_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull(),
    clientId: uuid("client_id").notNull(),
    personId: uuid("person_id")
      .notNull()
      .references(() => people.id),
    action: text("action").notNull(),
    resource: text("resource").notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
    roleId: text("role_id"),
    cleared: boolean("cleared").notNull(),
    reasons: text("reasons").array().notNull(),
  },
  (t) => [
    index("data_events_person_idx").on(t.personId, t.occurredAt),
    index("data_events_cleared_idx").on(t.cleared, t.occurredAt),
  ],
);

export const webhookEventTypes = [
  "access.granted",
  "access.revoked",
  "access.lapsed",
  "certification.expired",
  "agreement.signed",
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

export const webhooks = pgTable("webhooks", {
  id: uuid("id").primaryKey().defaultRandom(),
  url: text("url").notNull(),
  secretEnc: text("secret_enc").notNull(),
  eventTypes: text("event_types").array().notNull(),
  active: boolean("active").notNull().default(true),
  createdBy: uuid("created_by").references(() => people.id),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
});

export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    webhookId: uuid("webhook_id")
      .notNull()
      .references(() => webhooks.id),
    eventType: text("event_type").notNull(),
    dedupeKey: text("dedupe_key").notNull().unique(),
    payload: jsonb("payload").notNull(),
    status: text("status", { enum: ["pending", "sending", "delivered", "failed"] })
      .notNull()
      .default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull(),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
  },
  (t) => [
    index("webhook_deliveries_due_idx").on(t.status, t.nextAttemptAt),
    index("webhook_deliveries_webhook_idx").on(t.webhookId, t.createdAt),
  ],
);
