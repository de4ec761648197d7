import { bigserial, boolean, index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

import { identityProviders } from "./identity";
import { people } from "./people";

/** Every sign-in try, for throttling by account and by IP. Kept 90 days. */
export const loginAttempts = pgTable(
  "login_attempts",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    email: text("email").notNull(),
    ip: text("ip").notNull(),
    outcome: text("outcome", { enum: ["success", "failure", "refused"] }).notNull(),
    at: timestamp("at", { withTimezone: true }).notNull(),
  },
  (t) => [index("login_attempts_email_at_idx").on(t.email, t.at), index("login_attempts_ip_at_idx").on(t.ip, t.at)],
);

export const recoveryCodes = pgTable(
  "recovery_codes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    personId: uuid("person_id")
      .notNull()
      .references(() => people.id, { onDelete: "cascade" }),
    codeHash: text("code_hash").notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("recovery_codes_person_idx").on(t.personId)],
);

/**
 * Counters for "at most N tries" limits (sign-in per account and per IP,
 * re-authentication before signing). A try is taken by one conditional upsert
 * before the password or code is checked, so tries sent together cannot all
 * pass a limit that each of them read as not yet reached.
 */
export const attemptCounters = pgTable("attempt_counters", {
  key: text("key").primaryKey(),
  count: integer("count").notNull(),
  windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
  lockedUntil: timestamp("locked_until", { withTimezone: true }),
});

/**
 * A signed-in browser. The session cookie names its row; the row decides
 * whether the cookie still speaks for the person, so signing out, suspension,
 * departure and a change of roles, MFA or password end it on every instance.
 * `stamp` is the privilege stamp it was issued under (lib/auth/session-stamp.ts).
 */
export const sessions = pgTable(
  "sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    personId: uuid("person_id")
      .notNull()
      .references(() => people.id, { onDelete: "cascade" }),
    stamp: text("stamp").notNull(),
    method: text("method").notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    revokedReason: text("revoked_reason"),
    /** The identity provider the person signed in through, if any. */
    ssoProviderId: uuid("sso_provider_id").references(() => identityProviders.id, { onDelete: "set null" }),
    /** MFA done at that provider counts as this session's second factor (the provider is trusted for it). */
    mfaByIdp: boolean("mfa_by_idp").notNull().default(false),
  },
  (t) => [index("sessions_person_idx").on(t.personId, t.revokedAt)],
);
